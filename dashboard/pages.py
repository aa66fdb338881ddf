"""Page sources: markdown with fenced SQL blocks and chart/table calls, as analysts write them.

    ---
    title: Overview          # the page's heading and nav label
    path: overview           # where it is served (site-relative folder); may use the `each` parameters
    order: 10                # nav position; nav: false keeps a page out of the nav (a drill-down)
    each: months             # optional: one page per row of this query (its columns are the parameters)
    ---
    ```sql monthly
    select pnl_month, sum(net_profit) as net_profit from {{ marts }}.fct_pnl_channel_monthly group by 1
    ```
    {{ line_chart("monthly", x="pnl_month", y="net_profit") }}

A block is ```sql NAME [optional] [lake]```: `optional` marks a mart that may not exist yet (the page shows
what exists and says what is missing; a failing required query fails the build), `lake` runs the query over
the lake's delivery log instead of the warehouse (dashboard/lake_tables.py). SQL and text are Jinja templates:
`{{ marts }}`, `{{ audit }}` are the warehouse schemas of the target, `{{ campaign_model_filter }}` keeps the
default attribution model's rows of fct_campaign_daily, `{{ param }}` is an `each` parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

PAGES_DIR = Path(__file__).resolve().parent / "pages"
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_SQL_BLOCK = re.compile(r"^```sql[ \t]+([A-Za-z_][A-Za-z0-9_]*)([ \t]+[a-z \t]+)?\n(.*?)^```[ \t]*$\n?", re.M | re.S)
FLAGS = {"optional", "lake"}


@dataclass(frozen=True)
class Query:
    name: str
    sql: str
    optional: bool = False
    lake: bool = False


@dataclass(frozen=True)
class PageSource:
    slug: str
    title: str
    path: str
    body: str
    queries: tuple[Query, ...]
    order: int = 100
    nav: bool = True
    each: str | None = None
    source_file: Path = field(default=Path())


def parse_page(path: Path) -> PageSource:
    text = path.read_text(encoding="utf-8")
    match = _FRONT_MATTER.match(text)
    if not match:
        raise ValueError(f"{path}: a page starts with a --- front matter block (title, path)")
    meta = yaml.safe_load(match.group(1)) or {}
    missing = [k for k in ("title", "path") if k not in meta]
    if missing:
        raise ValueError(f"{path}: front matter lacks {', '.join(missing)}")
    body = text[match.end() :]
    queries = []
    for block in _SQL_BLOCK.finditer(body):
        flags = set((block.group(2) or "").split())
        if flags - FLAGS:
            raise ValueError(f"{path}: query {block.group(1)}: unknown flags {sorted(flags - FLAGS)} (know {FLAGS})")
        queries.append(Query(block.group(1), block.group(3), "optional" in flags, "lake" in flags))
    names = [q.name for q in queries]
    if len(set(names)) != len(names):
        raise ValueError(f"{path}: query names repeat: {names}")
    if meta.get("each") and meta["each"] not in names:
        raise ValueError(f"{path}: each: {meta['each']} names no query of the page")
    return PageSource(
        slug=path.stem,
        title=str(meta["title"]),
        path=str(meta["path"]).strip("/"),
        body=_SQL_BLOCK.sub("", body),
        queries=tuple(queries),
        order=int(meta.get("order", 100)),
        nav=bool(meta.get("nav", True)),
        each=meta.get("each"),
        source_file=path,
    )


def load_pages(folder: Path = PAGES_DIR) -> list[PageSource]:
    return sorted((parse_page(p) for p in folder.glob("*.md")), key=lambda p: (p.order, p.slug))
