{#-
    Shopify Payments amounts that int_payment_amounts_mapped classifies as a daily
    cost (docs/metrics.md rules 16 and 19): adjustments (`other_settlement_charge`)
    and every type the settlement_amount_types seed does not know
    (`other_payment_charge`, never dropped), one row per amount, by transaction
    date (brand time zone), platform `shopify`, positive costs (the export's
    negative amounts negated, credits negative). The channel is the `channels`
    seed's Shopify channel paid through Shopify Payments (payment_fee_rule
    `shopify_payments`). One of the `channel_daily_cost_models` that
    int_daily_costs_operational unions.
-#}

with

payment_amounts as (

    select * from {{ ref('int_payment_amounts_mapped') }}

),

channels as (

    select * from {{ ref('channels') }}

),

payments_channel as (

    select channel
    from channels
    where platform = 'shopify' and payment_fee_rule = 'shopify_payments'

),

final as (

    select
        payment_amounts.transaction_date as cost_date,
        (select payments_channel.channel from payments_channel) as channel,
        'shopify' as platform,
        payment_amounts.maps_to as cost_type,
        payment_amounts.source_currency,
        -payment_amounts.amount_source_cents as amount_source_cents
    from payment_amounts
    where payment_amounts.mapping_kind = 'daily_cost'

)

select * from final
