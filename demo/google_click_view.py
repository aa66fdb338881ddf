"""Google Ads click_view export (GAQL SearchStream JSON): each Google click's gclid, campaign and day.

The brand pulls `SELECT click_view.gclid, campaign.id, segments.date FROM click_view WHERE segments.date =
'<day>'` once per day (click_view takes a single day); the demo keeps a month of daily responses in one
array of batches, `google_ads/click_view_<YYYY-MM>.json`. Clicks whose campaign the demo does not know
(the planted touch has none) are not in it. docs/metrics.md rule 41.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

CUSTOMER_ID = "4061237788"


def google_clicks(touches: pl.DataFrame, timezone: str) -> pl.DataFrame:
    """(gclid, campaign_id, date) of a chunk's Google clicks with a known campaign."""
    return (
        touches.with_columns(gclid=pl.col("landing_url").str.extract(r"[?&]gclid=([^&#]*)"))
        .filter((pl.col("kind") == "google") & pl.col("campaign_id").is_not_null() & pl.col("gclid").is_not_null())
        .select(
            "gclid",
            campaign_id="campaign_id",
            date=pl.from_epoch("occurred_utc").dt.replace_time_zone("UTC").dt.convert_time_zone(timezone).dt.date(),
        )
        .unique()
    )


def write_click_view(clicks: pl.DataFrame, folder: Path) -> list[Path]:
    paths = []
    clicks = clicks.unique().sort("date", "gclid").with_columns(month=pl.col("date").dt.strftime("%Y-%m"))
    for month in clicks["month"].unique().sort().to_list():
        batches = []
        for (day,), rows in clicks.filter(pl.col("month") == month).group_by(["date"], maintain_order=True):
            text = day.isoformat()
            results = [
                {
                    "clickView": {
                        "resourceName": f"customers/{CUSTOMER_ID}/clickViews/{text}~{gclid}",
                        "gclid": gclid,
                    },
                    "campaign": {"resourceName": f"customers/{CUSTOMER_ID}/campaigns/{cid}", "id": cid},
                    "segments": {"date": text},
                }
                for gclid, cid in rows.select("gclid", "campaign_id").iter_rows()
            ]
            batches.append(
                {
                    "results": results,
                    "fieldMask": "clickView.gclid,campaign.id,segments.date",
                    "requestId": f"cv{text.replace('-', '')}",
                }
            )
        path = folder / f"click_view_{month}.json"
        path.write_text(json.dumps(batches, indent=2) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
