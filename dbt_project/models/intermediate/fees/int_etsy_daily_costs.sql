{#-
    Etsy statement amounts no order line carries (docs/metrics.md rule 18; one of the
    `channel_daily_cost_models`), one row per statement row, by statement date,
    platform `etsy`, on the `channels` seed's Etsy channel (platform `etsy`),
    positive costs (the statement's Net negated):
      - rows with a non-zero Net that are listing fees (`listing_fee`), Etsy Ads
        (`marketplace_ads`) or any other row rule 18 does not name
        (`other_settlement_charge`);
      - rows of an order's kind (refund, fees, Offsite Ads, label) that name no
        order of the Sold Order Items file: `other_settlement_charge`, kept, not
        lost (metrics.md principle 1).
    Deposits are transfers and sales and Etsy's tax rows are no costs: they stay out.
-#}

with

statement_lines as (

    select * from {{ ref('stg_etsy__statement_lines') }}

),

order_items as (

    select * from {{ ref('stg_etsy__order_items') }}

),

channels as (

    select * from {{ ref('channels') }}

),

sold_orders as (

    select distinct order_id
    from order_items

),

cost_rows as (

    select
        statement_date,
        statement_kind as cost_type,
        currency,
        net
    from statement_lines
    where
        statement_kind in ('listing_fee', 'marketplace_ads', 'other_settlement_charge')
        and coalesce(net, 0) != 0

    union all

    select
        statement_lines.statement_date,
        'other_settlement_charge' as cost_type,
        statement_lines.currency,
        coalesce(statement_lines.net, 0) as net
    from statement_lines
    left join sold_orders
        on statement_lines.order_id = sold_orders.order_id
    where
        statement_lines.statement_kind in ('refunds', 'marketplace_fees', 'payment_fees', 'ad_spend', 'shipping_cost')
        and sold_orders.order_id is null

),

final as (

    select
        statement_date as cost_date,
        (
            select channels.channel
            from channels
            where channels.platform = 'etsy' and channels.source_channel_value = '*'
        ) as channel,
        'etsy' as platform,
        cost_type,
        currency as source_currency,
        -{{ to_cents('net') }} as amount_source_cents
    from cost_rows

)

select * from final
