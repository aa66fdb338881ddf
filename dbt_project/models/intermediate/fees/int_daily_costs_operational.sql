{#-
    Costs no order line carries (docs/metrics.md rule 16), one row per cost_date, channel,
    platform, cost_type and source_currency (source amounts of different
    currencies do not add up):
      - Amazon settlement amounts the seed maps to a daily cost, by posted date
        (UTC): `storage_fee` (Storage Fee, FBA Long-Term Storage; channel Amazon
        FBA), `subscription_fee` (channel Unassigned), and any unmapped amount as
        `other_settlement_charge` (the line's channel when it names an order
        line, else Unassigned); platform `amazon`;
      - Shopify Payments rows the seed maps to a daily cost (adjustments such as
        chargebacks): `other_settlement_charge`, channel Shopify Web, platform
        `shopify`, by transaction date (brand time zone);
      - carrier invoice rows no order line carries, by ship date: return labels
        (`return_shipping`) and later adjustments or invoices of orders the brand
        does not ship (`unallocated_shipping`) on the referenced order's channel,
        invoices matching no order (`unallocated_shipping`, channel Unassigned);
        platform `carrier`.
    Costs are positive (the settlement's negative fees negated). Amounts are
    summed per key in source currency, then converted at the cost date's rate.
    Unallocated ad spend joins these rows in fct_daily_costs.
-#}

with

settlement_amounts as (

    select * from {{ ref('int_settlement_amounts_mapped') }}

),

order_lines as (

    select
        order_line_id,
        channel
    from {{ ref('int_order_lines') }}

),

payment_transactions as (

    select * from {{ ref('stg_shopify__payment_transactions') }}

),

amount_types as (

    select * from {{ ref('settlement_amount_types') }}
    where source = 'shopify'

),

carrier_invoices as (

    select * from {{ ref('int_carrier_invoices_matched') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates_daily') }}

),

settlement_costs as (

    select
        settlement_amounts.posted_date as cost_date,
        case
            when settlement_amounts.maps_to = 'storage_fee' then 'Amazon FBA'
            when settlement_amounts.maps_to = 'subscription_fee' then 'Unassigned'
            else coalesce(order_lines.channel, 'Unassigned')
        end as channel,
        'amazon' as platform,
        settlement_amounts.maps_to as cost_type,
        settlement_amounts.source_currency,
        -settlement_amounts.amount_source_cents as amount_source_cents
    from settlement_amounts
    left join order_lines
        on settlement_amounts.order_line_id = order_lines.order_line_id
    where settlement_amounts.mapping_kind = 'daily_cost'

),

payment_costs as (

    select
        {{ to_brand_date('payment_transactions.transaction_at') }} as cost_date,
        'Shopify Web' as channel,
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

),

shipping_costs as (

    select
        ship_date as cost_date,
        channel,
        'carrier' as platform,
        disposition as cost_type,
        source_currency,
        cost_source_cents as amount_source_cents
    from carrier_invoices
    where disposition in ('return_shipping', 'unallocated_shipping')

),

daily as (

    select
        cost_date,
        channel,
        platform,
        cost_type,
        source_currency,
        sum(amount_source_cents) as amount_source_cents
    from (
        select * from settlement_costs
        union all
        select * from payment_costs
        union all
        select * from shipping_costs
    ) as cost_rows
    group by cost_date, channel, platform, cost_type, source_currency

),

converted as (

    select
        daily.*,
        fx_rates.rate_e6,
        {{ convert_cents('daily.amount_source_cents', 'fx_rates.rate_e6') }} as amount_cents
    from daily
    left join fx_rates
        on
            daily.cost_date = fx_rates.rate_date
            and daily.source_currency = fx_rates.currency

),

final as (

    select
        cost_date,
        channel,
        platform,
        cost_type,
        source_currency,
        '{{ var("reporting_currency") }}' as reporting_currency,
        rate_e6,
        cast(amount_source_cents as bigint) as amount_source_cents,
        cast(amount_cents as bigint) as amount_cents,
        {{ from_cents('amount_source_cents') }} as amount_source,
        {{ from_cents('amount_cents') }} as amount
    from converted

)

select * from final
