"""Tables as CSV, safe to open in a spreadsheet.

A text cell starting with = + - @ tab or carriage return is read as a formula by Excel, LibreOffice and Google
Sheets (CSV injection, OWASP): such cells are prefixed with a single quote, which the spreadsheet shows as text.
Numbers (int, Decimal, float) are written as numbers: a number cannot be a formula, and a negative amount must
stay a number. Dates and timestamps are ISO text; NULL is an empty cell.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """One cell as written: numbers as they are, text neutralised when a spreadsheet would evaluate it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal | float):
        return value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def to_csv(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(c) for c in columns])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()
