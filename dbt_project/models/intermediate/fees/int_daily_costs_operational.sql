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
        channel); platform `carrier`.
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

fx_rates as (

    select * from {{ ref('int_fx_rates_daily') }}

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
        select * from channel_costs
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
