"""Meta Marketing API Insights (`time_increment=1`): `{"data": [...], "paging": ...}` pages, a bare
array, or JSON Lines of rows. Numbers are text. One purchase is reported under several action types
(`omni_purchase`, `purchase`, `offsite_conversion.fb_pixel_purchase`): exactly one is counted, the
first present in `PURCHASE_ACTION_PREFERENCE`, and its name is kept in `purchase_action_type`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl

from ingestion.formats import common as c
from ingestion.formats.base import (
    Detection,
    Format,
    ParseContext,
    Parsed,
    Sniff,
    json_lines_batches,
    read_json_document,
    records_frame,
    with_record_numbers,
)
from ingestion.textio import FileProblem

PURCHASE_ACTION_PREFERENCE = ("omni_purchase", "purchase", "offsite_conversion.fb_pixel_purchase")
ACTION = pl.List(pl.Struct({"action_type": pl.String, "value": pl.String}))
ROW_FIELDS: dict[str, pl.DataType] = {
    "date_start": pl.String(),
    "date_stop": pl.String(),
    "account_id": pl.String(),
    "account_currency": pl.String(),
    "campaign_id": pl.String(),
    "campaign_name": pl.String(),
    "adset_id": pl.String(),
    "adset_name": pl.String(),
    "ad_id": pl.String(),
    "impressions": pl.String(),
    "clicks": pl.String(),
    "spend": pl.String(),
    "actions": ACTION,
    "action_values": ACTION,
}


def pick_action(actions: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(value text, action type) of the preferred purchase action type present in the list."""
    values = []
    kinds = []
    for kind in PURCHASE_ACTION_PREFERENCE:
        value = (
            actions.list.eval(pl.element().filter(pl.element().struct.field("action_type") == kind))
            .list.first()
            .struct.field("value")
        )
        values.append(value)
        kinds.append(pl.when(value.is_not_null()).then(pl.lit(kind)))
    return pl.coalesce(values), pl.coalesce(kinds)


class MetaInsightsJson(Format):
    name = "meta_insights_json"
    label = "Meta Ads Insights (API JSON)"
    source = "meta_ads"
    entities = ("campaign_daily",)
    download = (
        "Graph API `GET /act_<id>/insights?level=campaign&time_increment=1&fields=campaign_id,campaign_name,"
        "impressions,clicks,spend,actions,action_values,account_currency`"
    )

    def detect(self, sniff: Sniff) -> Detection | None:
        keys = sniff.json_keys
        if sniff.is_json and "date_start" in keys and ({"spend", "impressions"} & keys):
            return Detection(self, 1.0)
        return None

    def parse(self, text_path: Path, workdir: Path, ctx: ParseContext) -> Iterator[Parsed]:
        head = read_first(text_path)
        if head.startswith("{") and '"data"' in head[:200]:
            doc = read_json_document(text_path, {"data": pl.List(pl.Struct(ROW_FIELDS))})
            rows = doc.select(pl.col("data").explode()).drop_nulls().unnest("data")
            frames = [with_record_numbers(rows).with_columns(pl.lit(None, dtype=pl.String).alias("_error"))]
        elif head.startswith("["):
            rows = read_json_document(text_path, ROW_FIELDS)
            frames = [with_record_numbers(rows).with_columns(pl.lit(None, dtype=pl.String).alias("_error"))]
        else:
            frames = json_lines_batches(text_path, ROW_FIELDS)
        empty = True
        for frame in frames:
            empty = empty and frame.is_empty()
            yield self.transform(frame, ctx)
        if empty:
            raise FileProblem("header-only file: the response holds no rows", "request a period with delivery")

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        day = c.date(pl.col("date_start"), ("%Y-%m-%d",))
        purchases, kind = pick_action(pl.col("actions"))
        purchase_value, _ = pick_action(pl.col("action_values"))
        reason = c.first_reason(
            [
                pl.col("_error"),
                c.required_reason("date_start", pl.col("date_start")),
                c.parsed_reason("date_start", pl.col("date_start"), day, "a date (YYYY-MM-DD)"),
                pl.when(pl.col("date_stop").is_not_null() & (pl.col("date_stop") != pl.col("date_start")))
                .then(pl.lit("date_stop differs from date_start: request the report with time_increment=1"))
                .otherwise(c.null_str()),
                c.required_reason("campaign_id", pl.col("campaign_id")),
                c.required_reason("spend", pl.col("spend")),
                c.decimal_reason("spend", pl.col("spend")),
                c.integer_reason("impressions", pl.col("impressions"), minimum=0),
                c.integer_reason("clicks", pl.col("clicks"), minimum=0),
                c.decimal_reason("purchase value", purchase_value),
                c.currency_reason("account_currency", pl.col("account_currency")),
            ]
        )
        rows = df.select(
            "_source_row",
            _record_key=c.key(day.cast(pl.String), pl.col("campaign_id"), pl.col("adset_id"), pl.col("ad_id")),
            _record_version=pl.lit(None, dtype=pl.Datetime("us", "UTC")),
            date=day,
            account_id=pl.col("account_id"),
            campaign_id=pl.col("campaign_id"),
            campaign_name=pl.col("campaign_name"),
            adset_id=pl.col("adset_id"),
            adset_name=pl.col("adset_name"),
            ad_id=pl.col("ad_id"),
            currency=c.currency(pl.col("account_currency")),
            impressions=c.integer(pl.col("impressions")),
            clicks=c.integer(pl.col("clicks")),
            spend=c.decimal(pl.col("spend")),
            purchases=purchases.cast(pl.Float64, strict=False),
            purchase_value=c.decimal(purchase_value),
            purchase_action_type=kind,
            business_date=day,
        )
        raw_columns = [k for k in ROW_FIELDS if k in df.columns]
        bad_text = pl.col("_bad_text") if "_bad_text" in df.columns else c.null_str()
        records = records_frame(df, reason, pl.coalesce(bad_text, pl.struct(raw_columns).struct.json_encode()))
        return Parsed(records, {"campaign_daily": rows})


def read_first(text_path: Path) -> str:
    with open(text_path, encoding="utf-8") as handle:
        return handle.read(4096).lstrip()


FORMAT = MetaInsightsJson()
