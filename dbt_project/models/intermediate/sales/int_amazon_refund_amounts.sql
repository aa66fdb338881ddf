{#-
    Amazon's dated line amounts (one of the `channel_line_amount_models`;
    docs/metrics.md rules 6, 7, 26): every settlement amount of a transaction
    that refunds a line (Refund, A-to-z Guarantee Claim, Chargeback Refund:
    whatever transaction type the settlement_amount_types seed maps to
    `refunds` or `shipping_revenue`, Order rows aside), dated by its posted
    date, in integer cents of the marketplace currency:
      - refunds = -(ItemPrice/Principal + Promotion/Principal): the item money
        refunded, net of the promotion reversed;
      - shipping_revenue += ItemPrice/Shipping + Promotion/Shipping (refunded
        shipping reduces shipping revenue).
    On EU marketplaces (VAT-inclusive prices, rule 28) the VAT of the line's
    rate is backed out of each amount; the refunded VAT reduces `taxes` unless
    Amazon withheld it as deemed supplier.
    Their commission credits and refund administration fees are marketplace
    fees (int_amazon_fee_events). One row per line, measure, posted date and
    settlement.
-#}

with

amazon_lines as (

    select * from {{ ref('int_amazon_order_lines_prepared') }}

),

settlement_amounts as (

    select * from {{ ref('int_settlement_amounts_mapped') }}

),

refund_amounts as (

    select
        amazon_lines.order_line_id,
        settlement_amounts.maps_to as measure,
        settlement_amounts.posted_date as event_date,
        {{ dbt.concat(["'settlement:'", 'settlement_amounts.settlement_id']) }} as refund_event_id,
        case
            when settlement_amounts.maps_to = 'refunds' then -settlement_amounts.amount_source_cents
            else settlement_amounts.amount_source_cents
        end as amount_source_cents
    from settlement_amounts
    inner join amazon_lines
        on settlement_amounts.order_line_id = amazon_lines.order_line_id
    where
        settlement_amounts.mapping_kind = 'measure'
        and settlement_amounts.maps_to in ('refunds', 'shipping_revenue')
        and lower(settlement_amounts.transaction_type) != 'order'

),

line_vat_rates as (

    select * from {{ ref('int_amazon_line_vat_rates') }}

),

refund_events as (

    select
        refund_amounts.order_line_id,
        refund_amounts.measure,
        refund_amounts.event_date,
        refund_amounts.refund_event_id,
        cast(sum(refund_amounts.amount_source_cents) as bigint) as amount_source_cents
    from refund_amounts
    group by 1, 2, 3, 4

),

-- EU marketplaces (rule 28): the VAT inside each refunded amount, at the line's rate.
refund_events_vat as (

    select
        refund_events.*,
        coalesce(line_vat_rates.is_vat_withheld, false) as is_vat_withheld,
        {{ div_round(
            'refund_events.amount_source_cents * coalesce(line_vat_rates.vat_rate_e6, 0)',
            '1000000 + coalesce(line_vat_rates.vat_rate_e6, 0)'
        ) }} as vat_cents
    from refund_events
    left join line_vat_rates
        on refund_events.order_line_id = line_vat_rates.order_line_id

),

final as (

    select
        order_line_id,
        measure,
        event_date,
        refund_event_id,
        'amazon_settlement' as refund_source,
        cast(amount_source_cents - vat_cents as bigint) as amount_source_cents,
        false as is_estimated
    from refund_events_vat

    union all

    -- The refunded VAT the seller had collected reduces `taxes` (refunded items: -VAT; refunded shipping,
    -- already negative: its negative VAT).
    select
        order_line_id,
        'taxes' as measure,
        event_date,
        refund_event_id,
        'amazon_settlement' as refund_source,
        cast(case when measure = 'refunds' then -vat_cents else vat_cents end as bigint) as amount_source_cents,
        false as is_estimated
    from refund_events_vat
    where
        not is_vat_withheld
        and vat_cents != 0

)

select * from final
