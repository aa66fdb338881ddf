"""What an inventory snapshot file says about itself only through its name.

The FBA Manage Inventory report and the Shopify inventory export carry no date (they show stock at the moment
of download) and the FBA report no marketplace (it is requested for one). The day is a date in the file name
(`2025-12-01`, `2025_12_01` or `20251201`), else the day the file was received in the brand's time zone; the
marketplace is an Amazon domain in the name (`Amazon.com`, `amazon.de`), else unknown.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePosixPath
from zoneinfo import ZoneInfo

from ingestion.formats.base import ParseContext
from ingestion.formats.common import MARKETPLACE_CURRENCY

_DATE = re.compile(r"(?<!\d)(20\d{2})[-_]?(\d{2})[-_]?(\d{2})(?!\d)")
# Longest first, so `amazon.com.mx` is not read as `amazon.com`.
_MARKETPLACES = sorted(MARKETPLACE_CURRENCY, key=len, reverse=True)


def file_name(ctx: ParseContext) -> str:
    return PurePosixPath(ctx.source_file.replace("\\", "/")).name


def snapshot_date(ctx: ParseContext) -> dt.date:
    """The snapshot's day: a valid date in the file name, else the day received (brand time zone)."""
    for match in _DATE.finditer(file_name(ctx)):
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            continue
    return ctx.ingested_at.astimezone(ZoneInfo(ctx.timezone)).date()


def marketplace(ctx: ParseContext) -> str | None:
    """The Amazon marketplace named in the file name, spelled as the All Orders `sales-channel` (`Amazon.com`)."""
    lowered = file_name(ctx).lower()
    for domain in _MARKETPLACES:
        at = lowered.find(domain)
        end = at + len(domain)
        if at >= 0 and (end == len(lowered) or not lowered[end].isalnum() or lowered[end:].startswith(".")):
            # `amazon.com.txt` ends the domain at the extension; `amazon.com.mx` was tried first.
            return "Amazon" + domain[len("amazon") :]
    return None
