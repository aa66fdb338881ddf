"""ECB euro foreign exchange reference rates (eurofxref.csv / eurofxref-hist.csv): one row per day,
one column per currency, values in units of that currency per 1 EUR, `N/A` where no rate was set.

Landed in the USD pivot of `brand/fx_rates` (units of USD per 1 unit of the currency):
rate(C) = USD-per-EUR / C-per-EUR, and EUR itself at USD-per-EUR. A file without a USD column cannot be
converted and is rejected.
"""

from __future__ import annotations

import re

import polars as pl

from ingestion.formats import common as c
from ingestion.formats.base import DelimitedFormat, Detection, ParseContext, Parsed, Sniff, raw_json, records_frame
from ingestion.registry import RATE
from ingestion.textio import FileProblem

PIVOT = "USD"


class EcbFxRates(DelimitedFormat):
    name = "ecb_fx_rates"
    label = "ECB euro reference rates (CSV)"
    source = "brand"
    entities = ("fx_rates",)
    download = "https://www.ecb.europa.eu > Statistics > Euro foreign exchange reference rates > Download (CSV)"
    required = ("Date", "USD")

    def detect(self, sniff: Sniff) -> Detection | None:
        header = sniff.lines[0].split(",") if sniff.lines else []
        names = [h.strip() for h in header]
        if names and names[0] == "Date":
            codes = [n for n in names[1:] if re.fullmatch(r"[A-Z]{3}", n)]
            if len(codes) >= 3:
                return Detection(self, 1.0, 0, ",", header)
        return None

    def check(self, detection: Detection, file_label: str) -> None:
        if "USD" not in [h.strip() for h in detection.header]:
            raise FileProblem(
                "ECB rates without a USD column cannot be converted to the USD pivot",
                "download the full reference-rate file (all currencies) from the ECB",
            )

    def column_names(self, header: list[str]) -> list[str]:
        return [h.strip() or f"_column_{i + 1}" for i, h in enumerate(header)]

    def transform(self, df: pl.DataFrame, ctx: ParseContext) -> Parsed:
        cols = [x for x in df.columns if not x.startswith("_")]
        codes = [x for x in cols if re.fullmatch(r"[A-Z]{3}", x)]
        day = c.date(pl.col("Date"), ("%Y-%m-%d", "%d %B %Y"))
        day_of_text = c.date(pl.col("_date_text"), ("%Y-%m-%d", "%d %B %Y"))
        values = df.with_columns([pl.col(k).replace("N/A", None) for k in codes])
        reasons = [
            c.required_reason("Date", pl.col("Date")),
            c.parsed_reason("Date", pl.col("Date"), day, "a date"),
            c.required_reason("USD", pl.col("USD")),
            *(c.decimal_reason(k, pl.col(k), RATE) for k in codes),
        ]
        records = records_frame(values, c.first_reason(reasons), raw_json(df, cols))
        usd = pl.col("USD").cast(pl.Float64, strict=False)
        per_eur = values.select(
            pl.col("_source_row"),
            pl.col("Date").alias("_date_text"),
            *[pl.col(k).cast(pl.Float64, strict=False) for k in codes],
        ).with_columns(date=day_of_text, _usd=usd)
        long = per_eur.unpivot(
            index=["_source_row", "date", "_usd"], on=codes, variable_name="currency", value_name="per_eur"
        )
        long = long.filter(pl.col("per_eur").is_not_null() & (pl.col("currency") != PIVOT))
        eur = per_eur.select("_source_row", "date", "_usd", currency=pl.lit("EUR"), per_eur=pl.lit(1.0))
        rows = pl.concat([eur, long], how="vertical_relaxed").select(
            "_source_row",
            _record_key=c.key(pl.col("date").cast(pl.String), pl.col("currency"), pl.lit(PIVOT)),
            _record_version=pl.lit(None, dtype=pl.Datetime("us", "UTC")),
            date=pl.col("date"),
            currency=pl.col("currency"),
            rate=(pl.col("_usd") / pl.col("per_eur")).round(8).cast(RATE, strict=False),
            pivot_currency=pl.lit(PIVOT),
            business_date=pl.col("date"),
        )
        return Parsed(records, {"fx_rates": rows})


FORMAT = EcbFxRates()
