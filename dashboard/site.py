"""Build the static dashboard: run each page's queries, render its markdown, charts and tables, write the site.

    <out>/index.html                  the list of pages
    <out>/<page path>/index.html      a page (drill-down pages too: channel-pnl/2025-11-01/)
    <out>/<page path>/<query>.csv     every table of the page, as CSV (dashboard/csv_export.py)
    <out>/assets/plotly.min.js        the chart library, copied from the plotly package (no CDN)

Links are relative, so the same files serve from a local folder, `make dashboard` or under the docs site's
`/dashboard/` prefix in AWS (where the edge function lets each Cognito group see its pages).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup

from dashboard.csv_export import to_csv
from dashboard.pages import PageSource, Query, load_pages

TEMPLATES = Path(__file__).resolve().parent / "templates"
PALETTE = ["#1f5f8b", "#e07a1f", "#2e8b57", "#b03a48", "#6a4c93", "#8c8c8c", "#c9a227", "#3aa6b9"]


@dataclass
class Result:
    """A query's rows, or why an optional query has none (`missing`)."""

    name: str
    columns: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    missing: str | None = None

    def records(self) -> list[dict]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def column(self, name: str) -> list:
        if name not in self.columns:
            raise KeyError(f"query {self.name} has no column {name!r} (has {self.columns})")
        i = self.columns.index(name)
        return [row[i] for row in self.rows]


@dataclass
class Warehouse:
    """Where the page queries run: a DB-API connection to the marts, the template variables, and the lake's tables."""

    connection: object
    variables: dict[str, str]
    """What page SQL and text may use: `marts`, `audit` (the schemas of the target), `campaign_model_filter`."""
    lake_connection: object | None = None
    status: str = ""
    warnings: list[str] = field(default_factory=list)

    def run(self, query: Query, sql: str) -> Result:
        connection = self.lake_connection if query.lake else self.connection
        if connection is None:
            raise ValueError(f"query {query.name} reads the lake, and no lake was given")
        cursor = connection.cursor()
        try:
            cursor.execute(sql)
            columns = [d[0] for d in cursor.description]
            return Result(query.name, columns, [tuple(r) for r in cursor.fetchall()])
        except Exception as error:
            with contextlib.suppress(Exception):
                connection.rollback()  # PostgreSQL: the failed statement aborted the transaction
            if not query.optional:
                raise
            return Result(query.name, missing=str(error).strip().splitlines()[0])


def _plain(value: object) -> object:
    """A value for a chart (JSON): money as float, dates as ISO text."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def format_value(value: object, percent: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if percent and isinstance(value, int | float | Decimal):
        return f"{float(value) * 100:,.1f}%"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, Decimal | float):
        return f"{value:,.2f}"
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


class PageRender:
    """One rendering of a page: its query results and the components its text calls."""

    def __init__(self, page: PageSource, results: dict[str, Result], root: str, folder: Path):
        self.page, self.results, self.root, self.folder = page, results, root, folder
        self.snippets: list[str] = []
        self.csv_files: dict[str, str] = {}

    def _result(self, name: str) -> Result:
        if name not in self.results:
            raise KeyError(f"{self.page.source_file}: no query named {name!r} (has {sorted(self.results)})")
        return self.results[name]

    def _place(self, snippet: str) -> Markup:
        self.snippets.append(snippet)
        return Markup(f"\n\n<!--component-{len(self.snippets) - 1}-->\n\n")

    def _empty(self, result: Result, what: str) -> str | None:
        if result.missing:
            return (
                f'<div class="empty" data-query="{result.name}">Not available yet: {html.escape(result.missing)}</div>'
            )
        if not result.rows:
            return f'<div class="empty" data-query="{result.name}">No {html.escape(what)} yet.</div>'
        return None

    # ------------------------------------------------------------------ components the pages call
    def available(self, name: str) -> bool:
        return self._result(name).missing is None

    def rows(self, name: str) -> list[dict]:
        return self._result(name).records()

    def value(self, name: str, column: str, label: str, percent: bool = False) -> Markup:
        result = self._result(name)
        empty = self._empty(result, label.lower())
        if empty:
            return self._place(empty)
        raw = result.column(column)[0]
        return self._place(
            f'<div class="big-value" data-query="{name}" data-column="{column}" data-value="{html.escape(str(raw))}">'
            f'<div class="label">{html.escape(label)}</div>'
            f'<div class="figure">{html.escape(format_value(raw, percent))}</div></div>'
        )

    def table(
        self,
        name: str,
        columns: list[str] | None = None,
        limit: int | None = None,
        percent: tuple[str, ...] | list[str] = (),
        link_column: str | None = None,
        link_href: str | None = None,
        what: str = "rows",
    ) -> Markup:
        """The query's rows (all of them in the CSV; `limit` shown), with a CSV download link."""
        result = self._result(name)
        empty = self._empty(result, what)
        if empty:
            return self._place(empty)
        shown = columns or result.columns
        self.csv_files[f"{name}.csv"] = to_csv(result.columns, result.rows)
        head = "".join(f"<th>{html.escape(c)}</th>" for c in shown)
        body = []
        for record in result.records()[:limit]:
            cells = []
            for c in shown:
                text = html.escape(format_value(record[c], c in percent))
                if c == link_column and link_href:
                    href = link_href.format(**{k: format_value(v) for k, v in record.items()})
                    text = f'<a href="{self.root}{html.escape(href)}">{text}</a>'
                numeric = isinstance(record[c], int | float | Decimal) and not isinstance(record[c], bool)
                cells.append(f'<td class="num">{text}</td>' if numeric else f"<td>{text}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        more = f" (first {limit} of {len(result.rows)})" if limit and len(result.rows) > limit else ""
        return self._place(
            f'<div class="table-wrap" data-query="{name}"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>"
            f'<div class="table-foot">{len(result.rows):,} rows{more} · '
            f'<a class="csv" download href="{name}.csv">Download CSV</a></div></div>'
        )

    def _chart(self, name: str, traces: list[dict], layout: dict, title: str | None) -> Markup:
        xs = [x for t in traces for x in (t.get("y") if t.get("orientation") == "h" else t.get("x")) or []]
        if xs and all(isinstance(x, str) and len(x) == 10 and x.endswith("-01") and x[4] == "-" for x in xs):
            # Months (first days): one tick per month, labelled as the month, not as a day.
            axis = "yaxis" if traces[0].get("orientation") == "h" else "xaxis"
            layout = layout | {axis: layout.get(axis, {}) | {"tickformat": "%b %Y", "dtick": "M1"}}
        chart_id = f"chart-{self.page.slug}-{len(self.snippets)}"
        layout = {
            "title": {"text": title or ""},
            "margin": {"t": 40 if title else 16, "r": 16, "b": 48, "l": 64},
            "legend": {"orientation": "h"},
            "colorway": PALETTE,
            "height": 340,
        } | layout
        points = sum(len(t.get("x") or t.get("values") or []) for t in traces)
        spec = json.dumps({"data": traces, "layout": layout}, default=str)
        return self._place(
            f'<figure class="chart" data-query="{name}" data-points="{points}"><div id="{chart_id}"></div>'
            f"<script>(function(){{var s={spec};Plotly.newPlot({json.dumps(chart_id)},s.data,s.layout,"
            "{displaylogo:false,responsive:true});})();</script></figure>"
        )

    def _series(self, result: Result, x: str, y: str | list[str], series: str | None) -> list[tuple[str, list, list]]:
        ys = [y] if isinstance(y, str) else list(y)
        if series is None:
            xs = [_plain(v) for v in result.column(x)]
            return [(col, xs, [_plain(v) for v in result.column(col)]) for col in ys]
        groups: dict[str, tuple[list, list]] = {}
        for record in result.records():
            xs_ys = groups.setdefault(str(record[series]), ([], []))
            xs_ys[0].append(_plain(record[x]))
            xs_ys[1].append(_plain(record[ys[0]]))
        return [(name, xs_, ys_) for name, (xs_, ys_) in groups.items()]

    def line_chart(self, name, x, y, series=None, title=None, y_title=None) -> Markup:
        result = self._result(name)
        empty = self._empty(result, "data")
        if empty:
            return self._place(empty)
        traces = [
            {"type": "scatter", "mode": "lines+markers", "name": label, "x": xs, "y": ys}
            for label, xs, ys in self._series(result, x, y, series)
        ]
        return self._chart(name, traces, {"yaxis": {"title": {"text": y_title or ""}}}, title)

    def bar_chart(self, name, x, y, series=None, title=None, stacked=True, horizontal=False, y_title=None) -> Markup:
        result = self._result(name)
        empty = self._empty(result, "data")
        if empty:
            return self._place(empty)
        traces = []
        for label, xs, ys in self._series(result, x, y, series):
            trace = {"type": "bar", "name": label, "x": ys, "y": xs, "orientation": "h"} if horizontal else {}
            traces.append(trace or {"type": "bar", "name": label, "x": xs, "y": ys})
        layout = {"barmode": "relative" if stacked else "group", "yaxis": {"title": {"text": y_title or ""}}}
        if horizontal:
            layout |= {
                "yaxis": {"automargin": True, "autorange": "reversed"},
                "height": max(340, 22 * len(traces[0]["y"])),
            }
        return self._chart(name, traces, layout, title)

    def pie_chart(self, name, names, values, title=None) -> Markup:
        result = self._result(name)
        empty = self._empty(result, "data")
        if empty:
            return self._place(empty)
        trace = {
            "type": "pie",
            "hole": 0.45,
            "labels": [_plain(v) for v in result.column(names)],
            "values": [_plain(v) for v in result.column(values)],
            "sort": False,
        }
        return self._chart(name, [trace], {}, title)

    def functions(self) -> dict[str, Callable]:
        names = ("available", "rows", "value", "table", "line_chart", "bar_chart", "pie_chart")
        return {n: getattr(self, n) for n in names}


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _text_environment() -> jinja2.Environment:
    # Page text and SQL: not HTML-escaped (components return Markup, the markdown renderer escapes text).
    return jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)


@dataclass(frozen=True)
class RenderedPage:
    page: PageSource
    path: str
    title: str
    html: str
    csv_files: dict[str, str]
    results: dict[str, Result]


def render_page(
    page: PageSource, warehouse: Warehouse, params: dict, *, nav: list[tuple[str, str]], built_at: str, layout: str
) -> RenderedPage:
    text = _text_environment()
    context = dict(warehouse.variables) | params
    path = text.from_string(page.path).render(context).strip("/")
    results = {q.name: warehouse.run(q, text.from_string(q.sql).render(context)) for q in page.queries}
    depth = len(path.split("/")) if path else 0
    root = "../" * depth
    render = PageRender(page, results, root, Path(path))
    try:
        markdown_source = text.from_string(page.body).render(context | render.functions())
    except jinja2.TemplateError as error:
        raise ValueError(f"{page.source_file}: {error}") from error
    body = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown_source)
    for i, snippet in enumerate(render.snippets):
        body = body.replace(f"<!--component-{i}-->", snippet)
    title = text.from_string(page.title).render(context)
    document = (
        _environment()
        .get_template(layout)
        .render(
            title=title,
            body=Markup(body),
            root=root,
            nav=nav,
            current=page.path,
            built_at=built_at,
            status=warehouse.status,
            warnings=warehouse.warnings,
        )
    )
    return RenderedPage(page, path, title, document, render.csv_files, results)


def page_instances(page: PageSource, warehouse: Warehouse) -> list[dict]:
    """The parameter sets a page renders for: one (no parameters), or one per row of its `each` query."""
    if not page.each:
        return [{}]
    text = _text_environment()
    query = next(q for q in page.queries if q.name == page.each)
    result = warehouse.run(query, text.from_string(query.sql).render(dict(warehouse.variables)))
    return [{k: format_value(v) for k, v in record.items()} for record in result.records()]


def build_site(warehouse: Warehouse, out: Path, pages: list[PageSource] | None = None) -> list[RenderedPage]:
    """Render every page into `out` (replaced whole: a page that no longer exists leaves no file behind)."""
    pages = load_pages() if pages is None else pages
    built_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    nav = [(p.title, p.path) for p in pages if p.nav]
    staging = out.with_name(out.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "assets").mkdir(parents=True)
    rendered = []
    for page in pages:
        for params in page_instances(page, warehouse):
            done = render_page(page, warehouse, params, nav=nav, built_at=built_at, layout="page.html.j2")
            folder = staging / done.path
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "index.html").write_text(done.html, encoding="utf-8")
            for name, content in done.csv_files.items():
                (folder / name).write_text(content, encoding="utf-8")
            rendered.append(done)
    index = _environment().get_template("index.html.j2")
    (staging / "index.html").write_text(
        index.render(
            title="Dashboard",
            nav=nav,
            root="",
            current="",
            built_at=built_at,
            status=warehouse.status,
            warnings=warehouse.warnings,
        ),
        encoding="utf-8",
    )
    import plotly.offline

    (staging / "assets" / "plotly.min.js").write_text(plotly.offline.get_plotlyjs(), encoding="utf-8")
    shutil.copyfile(TEMPLATES / "style.css", staging / "assets" / "style.css")
    if out.exists():
        shutil.rmtree(out)
    staging.rename(out)
    return rendered
