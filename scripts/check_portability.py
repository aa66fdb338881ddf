#!/usr/bin/env python3
"""Portability lint: fail on SQL constructs that Redshift (or PostgreSQL) lacks.

    python scripts/check_portability.py [PATH ...]     (default: dbt_project/models, macros, tests, analyses)

Scans raw dbt SQL (and compiled SQL, given a target/compiled folder) after blanking comments, string
literals and quoted identifiers, so `'https://...'` or a comment naming a construct never trips it.
Macros named `duckdb__*` are skipped: adapter.dispatch sends only DuckDB there. Prints
`file:line: construct: the line` per finding and exits 1 when anything is found.
The list follows Redshift's "unsupported PostgreSQL functions" page.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PATHS = ("dbt_project/models", "dbt_project/macros", "dbt_project/tests", "dbt_project/analyses")

_fn = r"\s*\("
RULES: list[tuple[str, re.Pattern]] = [
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in [
        ("DISTINCT ON (use row_number())", r"\bdistinct\s+on\s*\("),
        ("FILTER (WHERE ...) on an aggregate (use case when)", r"\bfilter\s*\(\s*where\b"),
        ("generate_series (use a date spine from a seed or dim_date)", r"\bgenerate_series" + _fn),
        ("array_agg / arrays", r"\barray_agg" + _fn + r"|\barray\s*\[|\barray" + _fn + r"|\bunnest" + _fn),
        ("string_agg (Redshift: listagg; use a dispatched macro)", r"\bstring_agg" + _fn),
        ("list functions (DuckDB)", r"\blist_\w+" + _fn + r"|\blist" + _fn + r"|\blist_value\b"),
        (
            "IS [NOT] DISTINCT FROM (compare with coalesce or explicit null checks)",
            r"\bis\s+(not\s+)?distinct\s+from\b",
        ),
        ("// integer division (use div_round or cast)", r"//"),
        (":: cast (use cast(x as type))", r"::"),
        ("QUALIFY (filter row_number() in an outer query)", r"\bqualify\b"),
        ("SELECT * EXCLUDE / REPLACE (DuckDB)", r"\*\s*(exclude|replace)\b|\bexclude\s*\("),
        ("GROUP BY ALL / ORDER BY ALL (DuckDB)", r"\b(group|order)\s+by\s+all\b"),
        ("statistics aggregates Redshift lacks", r"\b(corr|covar_pop|covar_samp|regr_\w+|width_bucket)" + _fn),
        (
            "DuckDB-only function",
            r"\b(regexp_extract(_all)?|str_split|string_split(_regex)?|strftime|strptime|epoch_ms|struct_pack"
            r"|try_cast|list_aggregate|array_length|date_diff|date_add|make_date|make_timestamp|read_parquet"
            r"|read_csv(_auto)?|read_json(_auto)?)" + _fn,
        ),
        ("PIVOT / UNPIVOT", r"\b(un)?pivot\b"),
        ("ASOF / POSITIONAL join (DuckDB)", r"\b(asof|positional)\s+join\b"),
        ("median (use percentile_cont)", r"\bmedian" + _fn),
    ]
]

_BLANKABLE = re.compile(
    r"\{#.*?#\}"  # jinja comment
    r"|/\*.*?\*/"  # block comment
    r"|--[^\n]*"  # line comment
    r"|'(?:[^']|'')*'"  # string literal (also jinja strings)
    r'|"(?:[^"]|"")*"',  # quoted identifier
    re.DOTALL,
)
_MACRO = re.compile(r"\{%-?\s*macro\s+(\w+).*?\{%-?\s*endmacro\s*-?%\}", re.DOTALL)


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    construct: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.construct}: {self.text.strip()}"


def _blank(match: re.Match) -> str:
    """Keep newlines (line numbers) and the quotes; drop the content."""
    text = match.group(0)
    if text[0] in "'\"":
        return text[0] + re.sub(r"[^\n]", " ", text[1:-1]) + text[-1]
    return re.sub(r"[^\n]", " ", text)


def strip_sql(text: str) -> str:
    text = _BLANKABLE.sub(_blank, text)
    # Macros only DuckDB ever runs (adapter.dispatch) may use DuckDB syntax.
    return _MACRO.sub(lambda m: _blank(m) if m.group(1).startswith("duckdb__") else m.group(0), text)


def scan_text(text: str, path: str = "<sql>", skip: tuple[str, ...] = ()) -> list[Finding]:
    """Findings in one SQL text; `skip` leaves out rules whose name starts with one of its entries."""
    original = text.splitlines()
    findings = []
    rules = [(name, pattern) for name, pattern in RULES if not name.startswith(skip)]
    for number, line in enumerate(strip_sql(text).splitlines(), start=1):
        for name, pattern in rules:
            if pattern.search(line):
                findings.append(Finding(path, number, name, original[number - 1]))
    return findings


def scan_paths(paths: list[Path], skip: tuple[str, ...] = ()) -> list[Finding]:
    findings = []
    for root in paths:
        files = [root] if root.is_file() else sorted(root.rglob("*.sql"))
        for file in files:
            try:
                shown = str(file.relative_to(REPO))
            except ValueError:
                shown = str(file)
            findings += scan_text(file.read_text(), shown, skip)
    return findings


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] or [REPO / p for p in DEFAULT_PATHS]
    findings = scan_paths([p for p in paths if p.exists()])
    for finding in findings:
        print(finding)
    if findings:
        print(f"portability: {len(findings)} construct(s) Redshift/PostgreSQL lack; see scripts/check_portability.py")
        return 1
    print(f"portability: ok ({', '.join(str(p) for p in paths if p.exists())})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
