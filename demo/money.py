"""Integer-cent arithmetic shared by the simulation and the ground truth.

Money is int64 cents everywhere; division rounds half away from zero, as
`round(numeric, 2)` does on DuckDB, PostgreSQL and Redshift.
"""

from __future__ import annotations

import polars as pl


def div_round(numerator: pl.Expr, denominator: pl.Expr | int) -> pl.Expr:
    """numerator / denominator rounded half away from zero, in integers (denominator > 0)."""
    num_abs = numerator.abs()
    quotient = (2 * num_abs + denominator) // (2 * denominator)
    return pl.when(numerator < 0).then(-quotient).otherwise(quotient)


def allocate(
    df: pl.DataFrame, *, group: str | list[str], amount: str, weight: str, tiebreak: str, out: str
) -> pl.DataFrame:
    """Split `amount` (the same on every row of a group) over the group's rows by `weight`.

    metrics.md principle 4: full-precision shares rounded to cents, the rounding
    difference on the row with the largest weight (ties: lowest `tiebreak`), so
    rows always sum exactly to the parent. All-zero weights share equally.
    """
    groups = [group] if isinstance(group, str) else group
    total = pl.col("_w").sum().over(groups)
    rank = pl.struct(pl.col("_w").neg(), pl.col(tiebreak)).rank("ordinal").over(groups)
    return (
        df.with_columns(_w=pl.when(pl.col(weight).sum().over(groups) == 0).then(1).otherwise(pl.col(weight)))
        .with_columns(_share=div_round(pl.col(amount) * pl.col("_w"), total), _rank=rank)
        .with_columns(
            (
                pl.col("_share")
                + pl.when(pl.col("_rank") == 1).then(pl.col(amount) - pl.col("_share").sum().over(groups)).otherwise(0)
            ).alias(out)
        )
        .drop("_w", "_share", "_rank")
    )


def fx_convert(amount: pl.Expr, rate_e6: pl.Expr) -> pl.Expr:
    """Source cents x rate (micro-units of the reporting currency) -> reporting cents."""
    return div_round(amount * rate_e6, 1_000_000)


def cents_str(col: str | pl.Expr, decimal: str = ".") -> pl.Expr:
    """Cents as a plain decimal string: -1234 -> '-12.34'."""
    c = pl.col(col) if isinstance(col, str) else col
    sign = pl.when(c < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    whole = (c.abs() // 100).cast(pl.String)
    frac = (c.abs() % 100).cast(pl.String).str.zfill(2)
    return pl.concat_str([sign, whole, pl.lit(decimal), frac])
