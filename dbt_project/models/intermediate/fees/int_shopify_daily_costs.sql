{#-
    Shopify Payments rows the settlement_amount_types seed maps to a daily cost
    (adjustments such as chargebacks: `other_settlement_charge`), docs/metrics.md
    rule 16: one row per transaction, by transaction date (brand time zone),
    platform `shopify`, positive costs. The channel is the `channels` seed's
    Shopify channel paid through Shopify Payments (payment_fee_rule
    `shopify_payments`). One of the `channel_daily_cost_models` that
    int_daily_costs_operational unions.
-#}

with

payment_transactions as (

    select * from {{ ref('stg_shopify__payment_transactions') }}

),

amount_types as (

    select * from {{ ref('settlement_amount_types') }}
    where source = 'shopify'

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
        {{ to_brand_date('payment_transactions.transaction_at') }} as cost_date,
        (select payments_channel.channel from payments_channel) as channel,
        'shopify' as platform,
        amount_types.maps_to as cost_type,
        payment_transactions.currency as source_currency,
        -{{ to_cents('payment_transactions.amount') }} as amount_source_cents
    from payment_transactions
    inner join amount_types
        on
            lower(payment_transactions.type) = amount_types.transaction_type
            and amount_types.amount_type = 'Amount'
            and amount_types.kind = 'daily_cost'

)

select * from final
