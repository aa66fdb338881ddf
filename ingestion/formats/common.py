"""Vectorised parsing and validation helpers shared by the format modules.

Every parser returns a typed expression; every rule returns a *reason*
expression that is null when the value is fine and a human sentence naming
the column and the value otherwise. `first_reason` folds the rules of a row
into the first problem found, which becomes the quarantine reason.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from ingestion.registry import MONEY, UTC

# ISO 4217 active codes (2025).
ISO_CURRENCIES = frozenset(
    [
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ANG",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BGN",
        "BHD",
        "BIF",
        "BMD",
        "BND",
        "BOB",
        "BOV",
        "BRL",
        "BSD",
        "BTN",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHE",
        "CHF",
        "CHW",
        "CLF",
        "CLP",
        "CNY",
        "COP",
        "COU",
        "CRC",
        "CUC",
        "CUP",
        "CVE",
        "CZK",
        "DJF",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ERN",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GHS",
        "GIP",
        "GMD",
        "GNF",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IQD",
        "IRR",
        "ISK",
        "JMD",
        "JOD",
        "JPY",
        "KES",
        "KGS",
        "KHR",
        "KMF",
        "KPW",
        "KRW",
        "KWD",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "LYD",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MRU",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MXV",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "OMR",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "PYG",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "RWF",
        "SAR",
        "SBD",
        "SCR",
        "SDG",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SLL",
        "SOS",
        "SRD",
        "SSP",
        "STN",
        "SVC",
        "SYP",
        "SZL",
        "THB",
        "TJS",
        "TMT",
        "TND",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "UGX",
        "USD",
        "USN",
        "UYI",
        "UYU",
        "UYW",
        "UZS",
        "VED",
        "VES",
        "VND",
        "VUV",
        "WST",
        "XAF",
        "XAG",
        "XAU",
        "XBA",
        "XBB",
        "XBC",
        "XBD",
        "XCD",
        "XCG",
        "XDR",
        "XOF",
        "XPD",
        "XPF",
        "XPT",
        "XSU",
        "XTS",
        "XUA",
        "XXX",
        "YER",
        "YEM",
        "ZAR",
        "ZMW",
        "ZWG",
        "ZWL",
    ]
)

# Amazon marketplace -> currency, for settlement rows whose file lacks the summary row.
MARKETPLACE_CURRENCY = {
    "amazon.com": "USD",
    "amazon.ca": "CAD",
    "amazon.com.mx": "MXN",
    "amazon.com.br": "BRL",
    "amazon.co.uk": "GBP",
    "amazon.de": "EUR",
    "amazon.fr": "EUR",
    "amazon.it": "EUR",
    "amazon.es": "EUR",
    "amazon.nl": "EUR",
    "amazon.com.be": "EUR",
    "amazon.ie": "EUR",
    "amazon.se": "SEK",
    "amazon.pl": "PLN",
    "amazon.com.tr": "TRY",
    "amazon.co.jp": "JPY",
    "amazon.com.au": "AUD",
    "amazon.sg": "SGD",
    "amazon.ae": "AED",
    "amazon.sa": "SAR",
    "amazon.in": "INR",
}

_NUMBER = r"^[+-]?\d+(\.\d+)?$"


def col(name: str) -> pl.Expr:
    return pl.col(name)


def null_str() -> pl.Expr:
    return pl.lit(None, dtype=pl.String)


def normalise_number(expr: pl.Expr, decimal_mark: str = ".") -> pl.Expr:
    """Locale-formatted number text to `-1234.56` text: thousands separators and spaces removed."""
    text = expr.str.strip_chars().str.replace_all(r"[\s\u00a0\u202f']", "")
    if decimal_mark == ",":
        text = text.str.replace_all(r"\.", "").str.replace(",", ".", literal=True)
    else:
        text = text.str.replace_all(",", "", literal=True)
    return text


def without_currency_symbol(expr: pl.Expr) -> pl.Expr:
    """Money shown with a symbol (`$5.00`, `-$12.00`, `CA$3.10`, `€4.50`) as plain number text; `--` (none) null."""
    text = expr.str.strip_chars()
    return pl.when(text == "--").then(null_str()).otherwise(text.str.replace(r"^([+-]?)\s*[A-Z]{0,3}[$€£¥]", "${1}"))


def decimal(expr: pl.Expr, dtype: pl.Decimal = MONEY, decimal_mark: str = ".") -> pl.Expr:
    """Exact decimal from text; null when the text is not a number or has more decimals than the type."""
    text = normalise_number(expr, decimal_mark)
    scale = dtype.scale
    pattern = rf"^[+-]?\d+(\.\d{{0,{scale}}}0*)?$"
    return pl.when(text.str.contains(pattern)).then(text.cast(dtype, strict=False)).otherwise(None)


def decimal_reason(name: str, expr: pl.Expr, dtype: pl.Decimal = MONEY, decimal_mark: str = ".") -> pl.Expr:
    text = normalise_number(expr, decimal_mark)
    return (
        pl.when(expr.is_null())
        .then(null_str())
        .when(~text.str.contains(_NUMBER))
        .then(pl.format("{}: '{}' is not a number", pl.lit(name), expr))
        .when(decimal(expr, dtype, decimal_mark).is_null())
        .then(pl.format("{}: '{}' has more than {} decimals", pl.lit(name), expr, pl.lit(dtype.scale)))
        .otherwise(null_str())
    )


def float_decimal(expr: pl.Expr, dtype: pl.Decimal = MONEY) -> pl.Expr:
    """JSON numbers arrive as binary floats (41.980000000000004): round to the type's scale, then cast."""
    return expr.cast(pl.Float64, strict=False).round(dtype.scale).cast(dtype, strict=False)


def integer(expr: pl.Expr, decimal_mark: str = ".") -> pl.Expr:
    text = normalise_number(expr, decimal_mark)
    whole = text.str.replace(r"\.0+$", "")
    return pl.when(whole.str.contains(r"^[+-]?\d+$")).then(whole.cast(pl.Int64, strict=False)).otherwise(None)


def integer_reason(name: str, expr: pl.Expr, *, minimum: int | None = None, decimal_mark: str = ".") -> pl.Expr:
    value = integer(expr, decimal_mark)
    reason = (
        pl.when(expr.is_null())
        .then(null_str())
        .when(value.is_null())
        .then(pl.format("{}: '{}' is not a whole number", pl.lit(name), expr))
    )
    if minimum is not None:
        reason = reason.when(value < minimum).then(
            pl.format("{}: {} must be at least {}", pl.lit(name), expr, pl.lit(minimum))
        )
    return reason.otherwise(null_str())


def timestamp(expr: pl.Expr, formats: Iterable[str | None]) -> pl.Expr:
    """UTC timestamp from the first format that parses (`None` means ISO-8601 with offset)."""
    text = expr.str.strip_chars()
    parsed = [
        text.str.to_datetime(fmt, strict=False, time_zone="UTC", time_unit="us")
        if fmt
        else text.str.to_datetime(strict=False, time_zone="UTC", time_unit="us")
        for fmt in formats
    ]
    return pl.coalesce(parsed).cast(UTC)


def naive_utc(expr: pl.Expr, formats: Iterable[str]) -> pl.Expr:
    """Timestamps written without an offset but known to be UTC (Amazon's `... UTC`)."""
    text = expr.str.strip_chars().str.replace(r"\s*(UTC|Z)$", "")
    parsed = [text.str.to_datetime(fmt, strict=False, time_unit="us") for fmt in formats]
    return pl.coalesce(parsed).dt.replace_time_zone("UTC")


def date(expr: pl.Expr, formats: Iterable[str]) -> pl.Expr:
    text = expr.str.strip_chars()
    return pl.coalesce([text.str.to_date(fmt, strict=False) for fmt in formats])


def parsed_reason(name: str, raw: pl.Expr, parsed: pl.Expr, what: str) -> pl.Expr:
    return (
        pl.when(raw.is_not_null() & parsed.is_null())
        .then(pl.format("{}: '{}' is not {}", pl.lit(name), raw, pl.lit(what)))
        .otherwise(null_str())
    )


def required_reason(name: str, raw: pl.Expr) -> pl.Expr:
    return pl.when(raw.is_null()).then(pl.lit(f"{name}: missing value")).otherwise(null_str())


def currency_reason(name: str, raw: pl.Expr) -> pl.Expr:
    code = raw.str.strip_chars().str.to_uppercase()
    return (
        pl.when(raw.is_not_null() & ~code.is_in(list(ISO_CURRENCIES)))
        .then(pl.format("{}: '{}' is not an ISO 4217 currency code", pl.lit(name), raw))
        .otherwise(null_str())
    )


def currency(raw: pl.Expr) -> pl.Expr:
    return raw.str.strip_chars().str.to_uppercase()


def first_reason(reasons: Iterable[pl.Expr]) -> pl.Expr:
    return pl.coalesce([*reasons, null_str()])


def local_date(ts: pl.Expr, timezone: str) -> pl.Expr:
    """The business day of a UTC timestamp in the brand's time zone."""
    return ts.dt.convert_time_zone(timezone).dt.date()


def boolean(expr: pl.Expr) -> pl.Expr:
    text = expr.str.strip_chars().str.to_lowercase()
    return (
        pl.when(text.is_in(["true", "yes", "y", "1"]))
        .then(pl.lit(True))
        .when(text.is_in(["false", "no", "n", "0"]))
        .then(pl.lit(False))
        .otherwise(pl.lit(None, dtype=pl.Boolean))
    )


def key(*parts: pl.Expr) -> pl.Expr:
    """`_record_key`: natural id parts joined by `|` (nulls as empty text)."""
    return pl.concat_str([p.cast(pl.String).fill_null("") for p in parts], separator="|")


def occurrence_suffix(df: pl.DataFrame, natural: pl.Expr, state: dict, *, from_last: bool = False) -> pl.Series:
    """`_record_key` of each row of a batch: the natural key, with `#n` appended to the n-th (n > 1) row that
    shares it within the whole file. A file is parsed in batches (`BATCH_BYTES`), so the rows each key had in the
    earlier batches are carried in the file's parse `state`; without them two identical rows in different
    batches would get one key and the warehouse's latest-wins dedup would keep only one. A row's key is the
    same whatever the batch size, so re-ingesting a file keys its rows as before. The carried counts hold one
    entry per distinct key of the file (a frame of about the key text's size: 19 MB for 600k distinct keys),
    which these exports' sizes allow.

    `from_last` numbers from the file's last row up, for newest-first exports whose later downloads add rows
    at the top: it needs the whole file's rows per key in `state["key_totals"]` (`count_keys` over every
    batch, read before the first batch is keyed)."""
    frame = df.select(_key=natural).with_columns(_n=pl.col("_key").cum_count().over("_key").cast(pl.Int64))
    earlier: pl.DataFrame | None = state.get("occurrences")  # `_key`, `_count`: rows per key so far
    if earlier is not None:
        frame = frame.join(earlier, on="_key", how="left", maintain_order="left").select(
            "_key", _n=pl.col("_n") + pl.col("_count").fill_null(0)
        )
    totals = frame.group_by("_key").agg(_count=pl.col("_n").max())
    state["occurrences"] = totals if earlier is None else earlier.update(totals, on="_key", how="full")
    if from_last:
        frame = frame.join(state["key_totals"], on="_key", how="left", maintain_order="left").select(
            "_key", _n=pl.col("_total") - pl.col("_n") + 1
        )
    n = pl.col("_n")
    key = pl.when(n > 1).then(pl.col("_key") + pl.lit("#") + n.cast(pl.String)).otherwise(pl.col("_key"))
    return frame.select(_record_key=key).to_series()


def count_keys(df: pl.DataFrame, natural: pl.Expr, state: dict) -> None:
    """Adds a batch's rows per natural key to the file's `state["key_totals"]` (`_key`, `_total`): the first
    of two passes when `occurrence_suffix` numbers from the last row."""
    counts = df.group_by(natural.alias("_key")).agg(_total=pl.len().cast(pl.Int64))
    earlier: pl.DataFrame | None = state.get("key_totals")
    state["key_totals"] = (
        counts if earlier is None else pl.concat([earlier, counts]).group_by("_key").agg(pl.col("_total").sum())
    )


def iso_utc_text(ts: pl.Expr) -> pl.Expr:
    return ts.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
