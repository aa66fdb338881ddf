"""Amazon orders (FBA and FBM on three marketplaces), returns and settlement events.

Amazon's own fees follow its fee tables, which differ from the brand's seed
rate cards in the ways real ones do: commission is charged on item plus
shipping, and a peak-season surcharge applies to FBA fees from mid-October to
mid-January. That is why an estimate and the later actual differ.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from demo import people
from demo.amazon_orphans import orphan_refunds
from demo.money import div_round

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

# marketplace, currency, share of Amazon orders, FBA share, order-id prefixes, local price factor
MARKETPLACES = [
    ("Amazon.com", "USD", 0.85, 0.75, ["111", "112", "113", "114"], 1.0),
    ("Amazon.ca", "CAD", 0.07, 1.0, ["701", "702"], 1.36),
    # Amazon.de sells VAT-inclusive: the local price factor includes the 19 % VAT (0.93 x 1.19).
    ("Amazon.de", "EUR", 0.08, 1.0, ["302", "303", "304", "305", "306"], 1.11),
]
# EU marketplaces: the VAT rate in the prices (standard class, the seeds/amazon_vat_rates.csv rate of the
# period). The brand is established outside the EU, so Amazon is the deemed supplier: it withholds the VAT
# in the settlement (ItemWithheldTax/MarketplaceFacilitatorVAT-Principal) and remits it.
EU_VAT_RATE_E6 = {"Amazon.de": 190_000}
AMAZON_SHARE_OF_ORDERS = 0.45
SETTLEMENT_DAYS = 14
PEAK_SURCHARGE_CENTS = {"Amazon.com": 20, "Amazon.ca": 25, "Amazon.de": 15}
# Gift wrap: the seller's gift-wrap charge per unit, on FBA lines of Amazon.com and Amazon.ca (Amazon wraps
# and charges the same amount back as ItemFees/GiftwrapChargeback).
GIFT_WRAP_SHARE = 0.03
GIFT_WRAP_UNIT_CENTS = {"Amazon.com": 399, "Amazon.ca": 499}
# What the settlement charges differs from the All Orders report for a few lines: a promotion applied at
# shipment (the report shows none) and a price corrected before shipment (the buyer pays 5 % less).
SHIPMENT_PROMOTION_SHARE = 0.02
SHIPMENT_PROMOTION_PERCENT = 15
PRICE_CORRECTION_SHARE = 0.005
PRICE_CORRECTION_PERCENT = 5
# Of the refunds, these shares settle as an A-to-z Guarantee claim or a card chargeback instead of a Refund.
REFUND_KINDS = [("A-to-z Guarantee Claim", 0.06), ("Chargeback Refund", 0.02)]
SUBSCRIPTION_CENTS = {"Amazon.com": 3999, "Amazon.ca": 2999, "Amazon.de": 3900}
STORAGE_MONTHLY_CENTS = {"Amazon.com": 16000, "Amazon.ca": 2400, "Amazon.de": 3100}

# The planted halo: Amazon.com daily sales respond to Google and Meta spend.
HALO = {"lag_days": 1, "decay": 0.5, "coefficients": {"google_ads": 0.18, "meta_ads": 0.30}}


@dataclass
class AmazonCursor:
    """Carried from one chunk of days to the next: the running order counter."""

    next_order_index: int = 0
    orphans_written: bool = False  # refunds of orders before the data (amazon_orphans), in the first chunk


@dataclass
class AmazonWorld:
    """One chunk's Amazon data: order lines (the All Orders report's grain), returns and settled rows."""

    orders: pl.DataFrame
    refunds: pl.DataFrame
    settlement_rows: pl.DataFrame


def adstock(spend: np.ndarray, lag: int, decay: float) -> np.ndarray:
    """Geometric adstock: A(d) = sum_k decay^k * spend(d - lag - k)."""
    out = np.zeros_like(spend, dtype=np.float64)
    carry = 0.0
    shifted = np.concatenate([np.zeros(lag), spend[: len(spend) - lag]]) if lag else spend
    for i, value in enumerate(shifted):  # one pass over days, not rows
        carry = value + decay * carry
        out[i] = carry
    return out


def halo_daily(
    days: pl.DataFrame, campaign_daily: pl.DataFrame, coefficients: dict[str, float] | None = None
) -> pl.DataFrame:
    """Planted incremental Amazon.com sales (USD) per day from off-Amazon spend.

    The sales are gross order value (unit price x units of the extra orders, ~1.5 % later cancelled), in USD,
    on Amazon.com only. `coefficients` replaces HALO's slopes (all 0: the halo switched off).
    """
    out = days.select("day_index", "date")
    incremental = np.zeros(days.height)
    for platform, beta in (HALO["coefficients"] if coefficients is None else coefficients).items():
        spend = (
            days.select("day_index")
            .join(
                campaign_daily.filter(pl.col("platform") == platform)
                .group_by("day_index")
                .agg(pl.col("spend_cents").sum()),
                on="day_index",
                how="left",
            )
            .sort("day_index")["spend_cents"]
            .fill_null(0)
            .to_numpy()
            / 100.0
        )
        stock = adstock(spend, HALO["lag_days"], HALO["decay"])
        out = out.with_columns(pl.Series(f"{platform}_spend", spend), pl.Series(f"{platform}_adstock", stock))
        incremental += beta * stock
    return out.with_columns(pl.Series("planted_incremental_sales", np.round(incremental, 2)))


def _fee_tables() -> tuple[pl.DataFrame, pl.DataFrame]:
    referral = pl.read_csv(SEEDS / "amazon_referral_fees.csv", schema_overrides={"price_from": pl.Float64})
    fba = pl.read_csv(SEEDS / "amazon_fba_fees.csv")
    return referral, fba


def referral_rate_e6(lines: pl.DataFrame, referral: pl.DataFrame, price: str = "unit_price_cents") -> pl.DataFrame:
    """Attach the seed referral rate and minimum fee by category, currency and per-unit price (`price`, cents).

    Amazon's tiers are "up to and including": a row applies to prices above its price_from, so a price exactly
    at a boundary takes the lower tier (a price_from of 0 applies from the first cent).
    """
    ref = (
        referral.with_columns(
            price_from_cents=(pl.col("price_from") * 100).round().cast(pl.Float64),
            rate_e6=(pl.col("rate") * 1_000_000).round().cast(pl.Int64),
            min_fee_cents=(pl.col("min_fee") * 100).round().cast(pl.Int64),
        )
        .select("category", "currency", "price_from_cents", "rate_e6", "min_fee_cents")
        .sort("price_from_cents")
    )
    keyed = lines.with_columns(_referral_price=pl.col(price).cast(pl.Float64))
    return (
        keyed.sort("_referral_price")
        .join_asof(
            ref,
            left_on="_referral_price",
            right_on="price_from_cents",
            by=["category", "currency"],
            strategy="backward",
            allow_exact_matches=False,
            check_sortedness=False,
        )
        .drop("price_from_cents", "_referral_price")
    )


def fba_fee_cents(lines: pl.DataFrame, fba: pl.DataFrame) -> pl.DataFrame:
    """Attach the seed FBA fee per unit by marketplace, size tier and unit weight."""
    table = fba.with_columns(fee_cents=(pl.col("fee_per_unit") * 100).round().cast(pl.Int64))
    joined = lines.join(
        table.select("marketplace", "size_tier", "weight_from_kg", "weight_to_kg", "fee_cents"),
        on=["marketplace", "size_tier"],
        how="left",
    )
    matched = joined.filter(
        (pl.col("weight_kg") >= pl.col("weight_from_kg")) & (pl.col("weight_kg") < pl.col("weight_to_kg"))
    ).select("order_line_id", fba_fee_per_unit_cents="fee_cents")
    return lines.join(matched, on="order_line_id", how="left")


def simulate_orders(
    rng: np.random.Generator,
    days: pl.DataFrame,
    products: pl.DataFrame,
    orders_per_day: float,
    halo: pl.DataFrame,
    end_utc: int,
    cursor: AmazonCursor,
) -> pl.DataFrame:
    """Order lines of `days` on every marketplace; `halo` holds the same days' planted incremental sales."""
    prices = products["price_cents"].to_numpy()
    mean_order_value_usd = float((prices * products["popularity"].to_numpy()).sum()) / 100 * 1.1 * 1.12
    demand = days["demand"].to_numpy()
    frames = []
    for marketplace, currency, share, fba_share, prefixes, price_factor in MARKETPLACES:
        lam = orders_per_day * AMAZON_SHARE_OF_ORDERS * share * demand
        if marketplace == "Amazon.com":
            lam = lam + halo["planted_incremental_sales"].to_numpy() / mean_order_value_usd
        per_day = rng.poisson(lam)
        n = int(per_day.sum())
        local_day = np.repeat(np.arange(days.height), per_day)
        day_index = days["day_index"].to_numpy()[local_day]
        purchase = days["utc_start"].to_numpy()[local_day] + np.floor(
            rng.beta(2.0, 1.8, n) * days["seconds"].to_numpy()[local_day]
        ).astype(np.int64)
        prefix = np.asarray(prefixes)[rng.integers(0, len(prefixes), n)]
        part_a = rng.integers(1_000_000, 9_999_999, n).astype(str)
        part_b = rng.integers(1_000_000, 9_999_999, n).astype(str)
        order_id = np.char.add(np.char.add(np.char.add(np.char.add(prefix, "-"), part_a), "-"), part_b)
        fba = rng.random(n) < fba_share
        n_lines = 1 + (rng.random(n) < 0.12).astype(np.int64)
        line_order = np.repeat(np.arange(n), n_lines)
        position = np.arange(line_order.size) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines)
        first_sku = rng.choice(products.height, n, p=products["popularity"].to_numpy())
        sku_index = (first_sku[line_order] + position * rng.integers(1, 60, line_order.size)) % products.height
        us_places = people.COUNTRIES[0][3]
        place = rng.integers(0, len(us_places), n)
        country = {"Amazon.com": "US", "Amazon.ca": "CA", "Amazon.de": "DE"}[marketplace]
        frames.append(
            pl.DataFrame(
                {
                    "marketplace": marketplace,
                    "currency": currency,
                    "price_factor": price_factor,
                    "order_index": cursor.next_order_index + line_order,
                    "amazon_order_id": order_id[line_order],
                    "purchase_utc": purchase[line_order],
                    "day_index": day_index[line_order],
                    "fulfillment_channel": np.where(fba, "Amazon", "Merchant")[line_order],
                    "sku_index": sku_index,
                    "position": position,
                    "quantity": rng.choice([1, 2], line_order.size, p=[0.9, 0.1]),
                    "order_draw": rng.random(n)[line_order],
                    "ship_delay": np.where(
                        fba, rng.integers(7_200, 30 * 3_600, n), rng.integers(12 * 3_600, 72 * 3_600, n)
                    )[line_order],
                    "expedited": (rng.random(n) < 0.15)[line_order],
                    "promo_draw": rng.random(line_order.size),
                    "gift_draw": rng.random(line_order.size),
                    "settle_draw": rng.random(line_order.size),
                    "shipping_draw": rng.random(n)[line_order],
                    "ship_country": country,
                    "ship_city": np.asarray([p[0] for p in us_places])[place][line_order]
                    if country == "US"
                    else {"CA": "Toronto", "DE": "Berlin"}[country],
                    "ship_state": np.asarray([p[1] for p in us_places])[place][line_order]
                    if country == "US"
                    else {"CA": "ON", "DE": "BE"}[country],
                    "ship_postal_code": np.asarray([p[3] for p in us_places])[place][line_order]
                    if country == "US"
                    else {"CA": "M5V 2T6", "DE": "10115"}[country],
                    "tax_rate_e6": (
                        np.asarray([round(p[4] * 1e6) for p in us_places])[place][line_order]
                        if country == "US"
                        else np.zeros(line_order.size, dtype=np.int64)
                    ),
                }
            )
        )
        cursor.next_order_index += n
    lines = pl.concat(frames).join(
        products.with_row_index("sku_index")
        .with_columns(pl.col("sku_index").cast(pl.Int64))
        .select("sku_index", "sku", "asin", "product_name", "category", "price_cents", "weight_kg", "size_tier"),
        on="sku_index",
        how="left",
    )
    unit_price = (
        pl.when(pl.col("price_factor") == 1.0)
        .then(pl.col("price_cents"))
        .otherwise((pl.col("price_cents") * pl.col("price_factor") / 100).floor().cast(pl.Int64) * 100 + 99)
    )
    ship_utc = pl.col("purchase_utc") + pl.col("ship_delay")
    lines = (
        lines.with_columns(
            unit_price_cents=unit_price,
            is_cancelled=pl.col("order_draw") < 0.015,
            ship_utc=ship_utc,
            order_line_id=pl.col("amazon_order_id") + pl.lit("-") + pl.col("sku"),
        )
        .with_columns(
            is_shipped=~pl.col("is_cancelled") & (pl.col("ship_utc") < end_utc),
            item_price_cents=pl.col("unit_price_cents") * pl.col("quantity"),
            promotion_cents=pl.when((pl.col("marketplace") == "Amazon.com") & (pl.col("promo_draw") < 0.08))
            .then(div_round(pl.col("unit_price_cents") * pl.col("quantity") * 10, 100))
            .otherwise(0),
            shipping_price_cents=pl.when(
                (pl.col("fulfillment_channel") == "Merchant")
                & (pl.col("position") == 0)
                & (pl.col("shipping_draw") < 0.5)
            )
            .then(499)
            .otherwise(0),
            ship_service_level=pl.when(pl.col("expedited")).then(pl.lit("Expedited")).otherwise(pl.lit("Standard")),
            gift_wrap_cents=pl.when(
                (pl.col("fulfillment_channel") == "Amazon")
                & pl.col("marketplace").is_in(list(GIFT_WRAP_UNIT_CENTS))
                & (pl.col("gift_draw") < GIFT_WRAP_SHARE)
            )
            .then(pl.col("marketplace").replace_strict(GIFT_WRAP_UNIT_CENTS, default=0) * pl.col("quantity"))
            .otherwise(0),
        )
        .with_columns(
            # What the settlement charges: the All Orders amounts, except for the few lines whose price was
            # corrected or that got a promotion at shipment.
            settled_item_price_cents=pl.when(pl.col("settle_draw") < PRICE_CORRECTION_SHARE)
            .then(pl.col("item_price_cents") - div_round(pl.col("item_price_cents") * PRICE_CORRECTION_PERCENT, 100))
            .otherwise(pl.col("item_price_cents")),
        )
        .with_columns(
            settled_promotion_cents=pl.when(
                (pl.col("promotion_cents") == 0)
                & (pl.col("settle_draw") >= PRICE_CORRECTION_SHARE)
                & (pl.col("settle_draw") < PRICE_CORRECTION_SHARE + SHIPMENT_PROMOTION_SHARE)
            )
            .then(div_round(pl.col("settled_item_price_cents") * SHIPMENT_PROMOTION_PERCENT, 100))
            .otherwise(pl.col("promotion_cents")),
        )
        .with_columns(
            item_tax_cents=div_round(
                (pl.col("item_price_cents") - pl.col("promotion_cents")) * pl.col("tax_rate_e6"), 1_000_000
            ),
            gift_wrap_tax_cents=div_round(pl.col("gift_wrap_cents") * pl.col("tax_rate_e6"), 1_000_000),
            settled_item_tax_cents=div_round(
                (pl.col("settled_item_price_cents") - pl.col("settled_promotion_cents")) * pl.col("tax_rate_e6"),
                1_000_000,
            ),
            order_status=pl.when(pl.col("is_cancelled"))
            .then(pl.lit("Cancelled"))
            .when(pl.col("is_shipped"))
            .then(pl.lit("Shipped"))
            .otherwise(pl.lit("Pending")),
            item_status=pl.when(pl.col("is_cancelled"))
            .then(pl.lit("Cancelled"))
            .when(pl.col("is_shipped"))
            .then(pl.lit("Shipped"))
            .otherwise(pl.lit("Unshipped")),
            order_item_code=(pl.col("order_index") * 7 + pl.col("position") + 50_000_000_000_000).cast(pl.String),
        )
    )
    return lines.sort(["purchase_utc", "amazon_order_id", "position"])


def simulate_refunds(rng: np.random.Generator, lines: pl.DataFrame, end_utc: int) -> pl.DataFrame:
    """Returned lines: mostly `Refund`, a few A-to-z Guarantee claims and chargebacks (REFUND_KINDS)."""
    draw = rng.random(lines.height)
    delay = rng.integers(5 * 86_400, 40 * 86_400, lines.height)
    kind_draw = rng.random(lines.height)
    bounds = np.cumsum([share for _, share in REFUND_KINDS])
    kinds = np.full(lines.height, "Refund", dtype=object)
    for (name, _), hi, lo in zip(REFUND_KINDS, bounds, np.concatenate([[0.0], bounds[:-1]]), strict=True):
        kinds[(kind_draw >= lo) & (kind_draw < hi)] = name
    return (
        lines.with_columns(
            _draw=pl.Series(draw),
            refund_utc=pl.col("ship_utc") + pl.Series(delay),
            transaction_type=pl.Series(kinds.astype(str)),
        )
        .filter(pl.col("is_shipped") & (pl.col("_draw") < 0.05) & (pl.col("refund_utc") < end_utc))
        .select("order_line_id", "refund_utc", "transaction_type")
        .with_columns(adjustment_id=(pl.int_range(pl.len()) * 17 + 71_000_000_000).cast(pl.String))
    )


def _period_bounds(start: dt.date, end_utc: int) -> list[tuple[int, int]]:
    """Every 14-day settlement period from just before the start until after the end."""
    anchor = dt.datetime(start.year, start.month, start.day, 7, tzinfo=dt.UTC) - dt.timedelta(days=5)
    bounds = []
    lo = anchor
    while int(lo.timestamp()) < end_utc + SETTLEMENT_DAYS * 86_400:
        hi = lo + dt.timedelta(days=SETTLEMENT_DAYS)
        bounds.append((int(lo.timestamp()), int(hi.timestamp())))
        lo = hi
    return bounds


def settlement_periods(start: dt.date, end_utc: int) -> pl.DataFrame:
    """One row per marketplace and period; `is_closed` when the period ended before the data does.

    A period still open at the end has not been settled: its events appear in no
    file, so their fees are estimated until it closes.
    """
    bounds = _period_bounds(start, end_utc)
    periods = pl.DataFrame(
        {
            "period": np.arange(len(bounds)),
            "start_utc": np.array([b[0] for b in bounds]),
            "end_utc": np.array([b[1] for b in bounds]),
        }
    ).join(
        pl.DataFrame(
            {
                "marketplace": [m[0] for m in MARKETPLACES],
                "currency": [m[1] for m in MARKETPLACES],
                "m_index": range(len(MARKETPLACES)),
            }
        ),
        how="cross",
    )
    return periods.with_columns(
        is_closed=pl.col("end_utc") <= end_utc,
        settlement_id=(12_800_000_000 + pl.col("m_index") * 1_000_000 + pl.col("period") * 1_337).cast(pl.String),
        deposit_utc=pl.col("end_utc") + 3 * 86_400 + 3_600,
    ).sort(["m_index", "period"])


def assign_settlements(rows: pl.DataFrame, periods: pl.DataFrame) -> pl.DataFrame:
    """Attach each event to its marketplace's period; keep only events of closed (settled) periods."""
    starts = periods.filter(pl.col("m_index") == 0).sort("period")["start_utc"].to_numpy()
    rows = rows.with_columns(
        period=pl.Series(np.searchsorted(starts, rows["posted_utc"].to_numpy(), side="right") - 1, dtype=pl.Int64)
    )
    closed = periods.filter(pl.col("is_closed")).select("marketplace", "period", "settlement_id")
    order = [
        "settlement_id",
        "posted_utc",
        "amazon_order_id",
        "sku",
        "transaction_type",
        "amount_type",
        "amount_description",
    ]
    settled = rows.join(closed, on=["marketplace", "period"], how="inner")
    return settled.sort([c for c in order if c in settled.columns], nulls_last=True)


def settlement_events(lines: pl.DataFrame, refunds: pl.DataFrame) -> pl.DataFrame:
    """Order and Refund components of shipped and returned lines, at their posted times."""
    referral, fba = _fee_tables()
    priced = fba_fee_cents(referral_rate_e6(lines, referral), fba)
    peak_from = pl.date(pl.col("ship_date").dt.year(), 10, 15)
    peak_to = pl.date(pl.col("ship_date").dt.year(), 1, 15)
    priced = (
        priced.with_columns(ship_date=pl.from_epoch("ship_utc").dt.date())
        .with_columns(
            in_peak=(pl.col("ship_date") >= peak_from) | (pl.col("ship_date") < peak_to),
        )
        .with_columns(
            commission_cents=pl.max_horizontal(
                div_round(
                    (
                        pl.col("settled_item_price_cents")
                        - pl.col("settled_promotion_cents")
                        + pl.col("shipping_price_cents")
                        + pl.col("gift_wrap_cents")
                    )
                    * pl.col("rate_e6"),
                    1_000_000,
                ),
                pl.col("min_fee_cents") * pl.col("quantity"),
            ),
            fba_fee_cents=pl.when(pl.col("fulfillment_channel") == "Amazon")
            .then(
                (
                    pl.col("fba_fee_per_unit_cents")
                    + pl.when(pl.col("in_peak"))
                    .then(pl.col("marketplace").replace_strict(PEAK_SURCHARGE_CENTS))
                    .otherwise(0)
                )
                * pl.col("quantity")
            )
            .otherwise(0),
        )
    )
    vat_rate = pl.col("marketplace").replace_strict(EU_VAT_RATE_E6, default=0)
    priced = priced.with_columns(
        withheld_vat_cents=div_round(
            (pl.col("settled_item_price_cents") - pl.col("settled_promotion_cents")) * vat_rate, 1_000_000 + vat_rate
        )
    )
    shipped = priced.filter(pl.col("is_shipped"))
    base = ["marketplace", "currency", "amazon_order_id", "order_item_code", "sku", "fulfillment_channel"]
    # What the settlement charged (settled_*): the All Orders amounts but for price corrections and
    # promotions applied at shipment. Gift wrap is charged as ItemPrice/GiftWrap and, on FBA, charged back.
    order_components = [
        ("ItemPrice", "Principal", pl.col("settled_item_price_cents")),
        ("ItemPrice", "Tax", pl.col("settled_item_tax_cents")),
        ("ItemPrice", "Shipping", pl.col("shipping_price_cents")),
        ("ItemPrice", "GiftWrap", pl.col("gift_wrap_cents")),
        ("ItemPrice", "GiftWrapTax", pl.col("gift_wrap_tax_cents")),
        ("ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", -pl.col("settled_item_tax_cents")),
        ("ItemWithheldTax", "MarketplaceFacilitatorTax-Other", -pl.col("gift_wrap_tax_cents")),
        ("ItemWithheldTax", "MarketplaceFacilitatorVAT-Principal", -pl.col("withheld_vat_cents")),
        ("Promotion", "Principal", -pl.col("settled_promotion_cents")),
        ("ItemFees", "Commission", -pl.col("commission_cents")),
        ("ItemFees", "FBAPerUnitFulfillmentFee", -pl.col("fba_fee_cents")),
        ("ItemFees", "GiftwrapChargeback", -pl.col("gift_wrap_cents")),
    ]
    frames = [
        shipped.select(
            *base,
            posted_utc="ship_utc",
            transaction_type=pl.lit("Order"),
            amount_type=pl.lit(a_type),
            amount_description=pl.lit(desc),
            amount_cents=expr,
            adjustment_id=pl.lit(None, pl.String),
            quantity_purchased=pl.when(pl.lit(desc == "Principal" and a_type == "ItemPrice"))
            .then(pl.col("quantity"))
            .otherwise(None),
            promotion_id=pl.lit(None, pl.String),
        ).filter(pl.col("amount_cents") != 0)
        for a_type, desc, expr in order_components
    ]
    refunded = refunds.join(priced, on="order_line_id")
    refund_components = [
        ("ItemPrice", "Principal", -pl.col("settled_item_price_cents")),
        ("ItemPrice", "Tax", -pl.col("settled_item_tax_cents")),
        ("ItemPrice", "Shipping", -pl.col("shipping_price_cents")),
        ("ItemWithheldTax", "MarketplaceFacilitatorTax-Principal", pl.col("settled_item_tax_cents")),
        ("ItemWithheldTax", "MarketplaceFacilitatorVAT-Principal", pl.col("withheld_vat_cents")),
        ("Promotion", "Principal", pl.col("settled_promotion_cents")),
        ("ItemFees", "Commission", pl.col("commission_cents")),
        (
            "ItemFees",
            "RefundCommission",
            -pl.min_horizontal(div_round(pl.col("commission_cents") * 20, 100), pl.lit(500)),
        ),
    ]
    frames += [
        refunded.select(
            *base,
            posted_utc="refund_utc",
            transaction_type="transaction_type",
            amount_type=pl.lit(a_type),
            amount_description=pl.lit(desc),
            amount_cents=expr,
            adjustment_id="adjustment_id",
            quantity_purchased=pl.lit(None, pl.Int64),
            promotion_id=pl.lit(None, pl.String),
        ).filter(pl.col("amount_cents") != 0)
        for a_type, desc, expr in refund_components
    ]
    component_rows = pl.concat(frames, how="vertical_relaxed")
    component_rows = component_rows.with_columns(
        promotion_id=pl.when(pl.col("amount_type") == "Promotion")
        .then(pl.lit("AG-COUPON-10-US"))
        .otherwise(pl.col("promotion_id"))
    )
    # A promotion applied at shipment (not in All Orders) carries its own id.
    shipment_promotions = priced.filter((pl.col("promotion_cents") == 0) & (pl.col("settled_promotion_cents") > 0))
    component_rows = component_rows.with_columns(
        promotion_id=pl.when(
            (pl.col("amount_type") == "Promotion")
            & pl.col("order_item_code").is_in(shipment_promotions["order_item_code"].implode())
        )
        .then(pl.lit("AG-SHIPMENT-15"))
        .otherwise(pl.col("promotion_id"))
    )
    return component_rows.join(
        priced.select("order_line_id", "amazon_order_id", "sku"), on=["amazon_order_id", "sku"], how="left"
    )


def other_transactions(
    rng: np.random.Generator,
    periods: pl.DataFrame,
    amazon_ads_daily: pl.DataFrame,
    days: pl.DataFrame,
    scale: float,
    ad_charges: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Rows no order carries: subscription and storage fees, reserves, the payment of Amazon Ads spend.

    `ad_charges` (posted_utc, amount_cents), when given, are the Cost of Advertising rows (monthly,
    demo/amazon_ads_v2.py); otherwise each period pays its days' reported spend."""
    other = []
    ads_by_day = amazon_ads_daily.join(days.select("day_index", "utc_start"), on="day_index")
    for marketplace, currency, *_ in MARKETPLACES:
        events = []  # (posted_utc, transaction-type, amount-type, amount-description, cents)
        previous_reserve = 0  # the reserve held back by the previous settlement
        bounds = periods.filter(pl.col("marketplace") == marketplace).sort("period").select("start_utc", "end_utc")
        for k, (lo, hi) in enumerate(bounds.iter_rows()):  # a few dozen periods, not rows
            day = dt.datetime.fromtimestamp(lo, dt.UTC).date()
            while day < dt.datetime.fromtimestamp(hi, dt.UTC).date():
                posted = int(dt.datetime(day.year, day.month, day.day, 9, tzinfo=dt.UTC).timestamp())
                if lo <= posted < hi and day.day == 1:
                    fee = -SUBSCRIPTION_CENTS[marketplace]
                    events.append((posted, "other-transaction", "other-transaction", "Subscription Fee", fee))
                if lo <= posted < hi and day.day == 7:
                    storage = round(STORAGE_MONTHLY_CENTS[marketplace] * scale * (0.8 + 0.4 * rng.random()))
                    events.append((posted, "other-transaction", "other-transaction", "Storage Fee", -storage))
                day += dt.timedelta(days=1)
            if marketplace != "Amazon.com":
                continue
            reserve = round(25_000 * scale * (0.8 + 0.4 * rng.random()))
            events.append((hi - 3_600, "other-transaction", "other-transaction", "Current Reserve Amount", -reserve))
            if k > 0:
                released = ("other-transaction", "other-transaction", "Previous Reserve Amount Balance")
                events.append((lo + 60, *released, previous_reserve))
            previous_reserve = reserve
            if ad_charges is not None:
                for posted, cents in ad_charges.filter(pl.col("posted_utc").is_between(lo, hi - 1)).iter_rows():
                    events.append((posted, "ServiceFee", "Cost of Advertising", "TransactionTotalAmount", cents))
                continue
            ads = ads_by_day.filter((pl.col("utc_start") >= lo) & (pl.col("utc_start") < hi))["spend_cents"].sum()
            if ads:
                events.append((hi - 7_200, "ServiceFee", "Cost of Advertising", "TransactionTotalAmount", -int(ads)))
        other.extend((marketplace, currency, *event) for event in events)
    return pl.DataFrame(
        other,
        orient="row",
        schema={
            "marketplace": pl.String,
            "currency": pl.String,
            "posted_utc": pl.Int64,
            "transaction_type": pl.String,
            "amount_type": pl.String,
            "amount_description": pl.String,
            "amount_cents": pl.Int64,
        },
    ).with_columns(
        # The order columns of the component rows, empty here, so both stack into one settlement file.
        [
            pl.lit(None, pl.String).alias(c)
            for c in (
                "amazon_order_id",
                "order_item_code",
                "sku",
                "fulfillment_channel",
                "adjustment_id",
                "promotion_id",
                "order_line_id",
            )
        ]
        + [pl.lit(None, pl.Int64).alias("quantity_purchased")]
    )


def simulate_amazon(
    rng: np.random.Generator,
    cursor: AmazonCursor,
    chunk_days: pl.DataFrame,
    products: pl.DataFrame,
    orders_per_day: float,
    halo: pl.DataFrame,
    periods: pl.DataFrame,
    end_utc: int,
    unavailable: pl.DataFrame | None = None,
) -> AmazonWorld:
    """`unavailable` (marketplace, fulfillment_channel, sku, day_index): out of stock, so those lines never sell.
    They are dropped after every draw, so the other lines draw exactly what they would have."""
    chunk_halo = chunk_days.select("day_index").join(halo, on="day_index", how="left").sort("day_index")
    lines = simulate_orders(rng, chunk_days, products, orders_per_day, chunk_halo, end_utc, cursor)
    refunds = simulate_refunds(rng, lines, end_utc)
    if unavailable is not None:
        lines = lines.join(unavailable, on=list(unavailable.columns), how="anti")
        refunds = refunds.join(lines.select("order_line_id"), on="order_line_id", how="semi")
    events = settlement_events(lines, refunds)
    if not cursor.orphans_written:
        cursor.orphans_written = True
        events = pl.concat([events, orphan_refunds(rng, chunk_days, products, end_utc)], how="diagonal_relaxed")
    rows = assign_settlements(events, periods)
    return AmazonWorld(lines, refunds, rows)
