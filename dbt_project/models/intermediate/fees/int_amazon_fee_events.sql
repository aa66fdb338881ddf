-- Redshift: lines join lines on order_line_id, so they share its distribution.
{{ config(materialized='table', dist='order_line_id', sort='event_date') }}

{#-
    Amazon marketplace and fulfillment fees of each line of a channel whose
    `channels` seed marketplace_fee_rule is `amazon_settlement`, one row
    per (line, fee measure, event date, actual or estimate), in the line's
    source (marketplace) currency and converted at the event date's rate
    (docs/metrics.md rules 11, 14, 15):
      - actual: the line's ItemFees settlement rows that the seed maps to
        marketplace_fees or fulfillment_fees (order and refund transactions),
        stored as positive costs, dated by the settlement posted date (brand time zone, rule 3);
      - estimate, while no settlement shows the line's Order rows: at the order
        date, marketplace_fees = max(round(total sales price x rate), min_fee x
        units) from the amazon_referral_fees seed (contract v2: the total sales
        price is item price - promotion + shipping - shipping promotion + gift
        wrap charged; the row of the line's category and marketplace currency
        with the largest price_from below the total sales price per unit, since
        Amazon's tiers are "up to and including"; its min_fee is in that
        currency), and for FBA
        lines (fulfillment_fee_rule `amazon_fba`) fulfillment_fees = fee per unit x units from the amazon_fba_fees
        seed (marketplace, size tier, unit weight band [from, to)).
    Amounts of one line, measure and date are summed in source currency before
    converting (rule 14), so the cash view and the line measures agree to the
    cent; `is_estimate` is true when the day's amount includes an estimate.
-#}

with

all_order_lines as (

    select * from {{ ref('int_order_lines') }}

),

channels as (

    select * from {{ ref('channels') }}

),

amazon_orders as (

    select * from {{ ref('stg_amazon__orders') }}

),

products as (

    select * from {{ ref('stg_brand__products') }}

),

settlement_amounts as (

    select * from {{ ref('int_settlement_amounts_mapped') }}

),

referral_fees as (

    select * from {{ ref('amazon_referral_fees') }}

),

fba_fees as (

    select * from {{ ref('amazon_fba_fees') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates_daily') }}

),

order_lines as (

    select
        all_order_lines.order_line_id,
        all_order_lines.order_id,
        all_order_lines.channel,
        all_order_lines.sku,
        all_order_lines.order_date,
        all_order_lines.units,
        all_order_lines.source_currency,
        channels.fulfillment_fee_rule
    from all_order_lines
    inner join channels
        on all_order_lines.channel = channels.channel
    where channels.marketplace_fee_rule = 'amazon_settlement'

),

-- A line is settled once a settlement shows its Order transaction.
settled_lines as (

    select distinct order_line_id
    from settlement_amounts
    where
        lower(transaction_type) = 'order'
        and order_line_id is not null

),

actual_fees as (

    select
        order_lines.order_line_id,
        settlement_amounts.maps_to as fee_measure,
        settlement_amounts.posted_date as event_date,
        false as is_estimate,
        -settlement_amounts.amount_source_cents as fee_source_cents
    from settlement_amounts
    inner join order_lines
        on settlement_amounts.order_line_id = order_lines.order_line_id
    where
        settlement_amounts.mapping_kind = 'measure'
        and settlement_amounts.maps_to in ('marketplace_fees', 'fulfillment_fees')

),

unsettled_lines as (

    select
        order_lines.order_line_id,
        order_lines.fulfillment_fee_rule,
        order_lines.order_date,
        order_lines.units,
        amazon_orders.sales_channel as marketplace,
        amazon_orders.currency,
        {{ to_cents('amazon_orders.item_price') }} as item_price_cents,
        {{ to_cents('coalesce(amazon_orders.item_promotion_discount, 0)') }} as promotion_cents,
        -- The referral fee's base: the total sales price (rule 11), gift wrap 0 when the export has none.
        {{ to_cents(
            'amazon_orders.item_price - coalesce(amazon_orders.item_promotion_discount, 0)'
            ~ ' + coalesce(amazon_orders.shipping_price, 0) - coalesce(amazon_orders.ship_promotion_discount, 0)'
            ~ ' + coalesce(amazon_orders.gift_wrap_price, 0)'
        ) }} as referral_base_cents,
        products.category,
        products.size_tier,
        products.weight_kg
    from order_lines
    inner join amazon_orders
        on
            order_lines.order_id = amazon_orders.amazon_order_id
            and order_lines.sku = amazon_orders.sku
    left join products
        on order_lines.sku = products.sku
    left join settled_lines
        on order_lines.order_line_id = settled_lines.order_line_id
    where settled_lines.order_line_id is null

),

-- The referral row of the line's category and currency with the largest price_from below the sales price per
-- unit ("up to and including": a price at a boundary belongs to the lower tier; price_from 0 from the first cent).
referral_candidates as (

    select
        unsettled_lines.order_line_id,
        cast(round(referral_fees.rate * 1000000, 0) as bigint) as rate_e6,
        {{ to_cents('referral_fees.min_fee') }} as min_fee_cents,
        row_number() over (
            partition by unsettled_lines.order_line_id
            order by referral_fees.price_from desc
        ) as price_band_rank
    from unsettled_lines
    inner join referral_fees
        on
            unsettled_lines.category = referral_fees.category
            and unsettled_lines.currency = referral_fees.currency
            and (
                referral_fees.price_from = 0
                or unsettled_lines.referral_base_cents
                > {{ to_cents('referral_fees.price_from') }} * unsettled_lines.units
            )

),

fba_candidates as (

    select
        unsettled_lines.order_line_id,
        {{ to_cents('fba_fees.fee_per_unit') }} as fee_per_unit_cents
    from unsettled_lines
    inner join fba_fees
        on
            unsettled_lines.marketplace = fba_fees.marketplace
            and unsettled_lines.size_tier = fba_fees.size_tier
            and unsettled_lines.weight_kg >= fba_fees.weight_from_kg
            and unsettled_lines.weight_kg < fba_fees.weight_to_kg
    where unsettled_lines.fulfillment_fee_rule = 'amazon_fba'

),

estimate_inputs as (

    select
        unsettled_lines.order_line_id,
        unsettled_lines.fulfillment_fee_rule,
        unsettled_lines.order_date,
        {{ div_round(
            'unsettled_lines.referral_base_cents * referral_candidates.rate_e6',
            '1000000'
        ) }} as referral_fee_cents,
        referral_candidates.min_fee_cents * unsettled_lines.units as minimum_fee_cents,
        fba_candidates.fee_per_unit_cents * unsettled_lines.units as fba_fee_cents
    from unsettled_lines
    left join referral_candidates
        on
            unsettled_lines.order_line_id = referral_candidates.order_line_id
            and referral_candidates.price_band_rank = 1
    left join fba_candidates
        on unsettled_lines.order_line_id = fba_candidates.order_line_id

),

estimated_fees as (

    select
        order_line_id,
        'marketplace_fees' as fee_measure,
        order_date as event_date,
        true as is_estimate,
        case
            when minimum_fee_cents is null or referral_fee_cents >= minimum_fee_cents
                then coalesce(referral_fee_cents, 0)
            else minimum_fee_cents
        end as fee_source_cents
    from estimate_inputs

    union all

    select
        order_line_id,
        'fulfillment_fees' as fee_measure,
        order_date as event_date,
        true as is_estimate,
        coalesce(fba_fee_cents, 0) as fee_source_cents
    from estimate_inputs
    where fulfillment_fee_rule = 'amazon_fba'

),

fee_events as (

    select
        order_line_id,
        fee_measure,
        event_date,
        max(case when is_estimate then 1 else 0 end) = 1 as is_estimate,
        sum(fee_source_cents) as fee_source_cents
    from (
        select * from actual_fees
        union all
        select * from estimated_fees
    ) as fee_rows
    group by order_line_id, fee_measure, event_date

),

final as (

    select
        fee_events.order_line_id,
        order_lines.order_id,
        order_lines.channel,
        fee_events.fee_measure,
        fee_events.event_date,
        fee_events.is_estimate,
        order_lines.source_currency,
        fee_events.fee_source_cents,
        fx_rates.rate_e6,
        {{ convert_cents('fee_events.fee_source_cents', 'fx_rates.rate_e6') }} as fee_cents
    from fee_events
    inner join order_lines
        on fee_events.order_line_id = order_lines.order_line_id
    left join fx_rates
        on
            fee_events.event_date = fx_rates.rate_date
            and order_lines.source_currency = fx_rates.currency

)

select * from final
