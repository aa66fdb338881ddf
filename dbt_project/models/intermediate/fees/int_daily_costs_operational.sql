{#-
    Costs no order line carries (docs/metrics.md rule 16), one row per cost_date, channel,
    platform, cost_type and source_currency (source amounts of different
    currencies do not add up):
      - the daily costs each channel source's exports carry, from the models
        the `channel_daily_cost_models` var lists (Amazon settlement storage,
        subscription and unmapped charges; Shopify Payments adjustments);
      - carrier invoice rows no order line carries, by ship date: return labels
        (`return_shipping`) and invoices of orders the brand
        does not ship (FBA, cancelled, pickup: `unallocated_shipping`) on the referenced order's channel,
        invoices matching no order (`unallocated_shipping`, the unassigned cost
        channel); platform `carrier`, or `amazon` for Amazon Buy Shipping labels
        (a label without an order id is `unallocated_shipping`) and `shopify`
        for Shopify Shipping labels;
      - the Shopify bill's other charges (plan, apps): `subscription_fee`,
        channel Unassigned, platform shopify, by charge date.
    Costs are positive. Amounts are summed per key in source currency, then
    converted at the cost date's rate. Unallocated ad spend joins these rows in
    fct_daily_costs.
-#}

with

channel_costs as (

    {%- for model_name in var('channel_daily_cost_models') %}
        select
            cost_date,
            channel,
            platform,
            cost_type,
            source_currency,
            amount_source_cents
        from {{ ref(model_name) }}
        {{ 'union all' if not loop.last }}
    {%- endfor %}

),

carrier_invoices as (

    select * from {{ ref('int_carrier_invoices_matched') }}

),

billing_charges as (

    select * from {{ ref('stg_shopify__billing_charges') }}

),

unassigned_channel as (

    select channel
    from {{ ref('channels') }}
    where is_unassigned

),

-- The Shopify bill's other charges (plan, apps): subscription fees of no channel, by charge date.
bill_costs as (

    select
        charged_on as cost_date,
        (select unassigned_channel.channel from unassigned_channel) as channel,
        'shopify' as platform,
        'subscription_fee' as cost_type,
        currency as source_currency,
        {{ to_cents('amount') }} as amount_source_cents
    from billing_charges
    where not is_shipping_label

),

fx_rates as (

    select * from {{ ref('int_fx_rates_daily') }}

),

shipping_costs as (

    select
        ship_date as cost_date,
        channel,
        platform,
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
        select * from channel_costs
        union all
        select * from shipping_costs
        union all
        select * from bill_costs
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
