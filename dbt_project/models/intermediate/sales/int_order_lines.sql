{#-
    THE unified order-line universe: one row per sold order line of every
    channel, the grain of fct_financial_performance, with its sales measures
    (metrics.md; docs/metrics.md rules 1-9, 14). The lines are the union of the
    prepared order-lines models the `channel_order_line_models` var lists (one
    per channel source, all in one contract), so a new channel adds a model to
    the list instead of a branch here. Every sales measure is summed per event
    date in the source currency and converted at that date's rate
    (int_order_line_amounts_converted), so a sale and its refund convert at their
    own dates. COGS is (units - restocked_units) x the landed unit cost
    effective on the order date (int_cogs_effective), in the cost's currency,
    converted at the rate of that cost row's effective_from (`cogs_rate_date`:
    what the brand paid, docs/metrics.md rule 9, contract v2), not the order date. `customer_key` is the buyer's hashed email on
    channels whose seed row says `has_buyer_identity`.
    Money columns: `<measure>_source_cents` / `<measure>_cents` (bigint, source /
    reporting currency) and `<measure>_source` / `<measure>` (numeric(18,2)).
-#}
-- Redshift: lines join lines on order_line_id, so they share its distribution.
{{ config(materialized='table', dist='order_line_id', sort='order_date') }}
{%- set measures = ['gross_sales', 'discounts', 'refunds', 'shipping_revenue', 'taxes'] -%}

with

prepared_lines as (

    {%- for model_name in var('channel_order_line_models') %}
        select
            channel,
            order_id,
            order_line_id,
            order_source,
            sku,
            order_date,
            source_currency,
            marketplace,
            shipping_country,
            shipping_method,
            shipping_service_level,
            payment_gateway,
            promotion_codes,
            buyer_customer_key,
            is_cancelled,
            units,
            restocked_units
        from {{ ref(model_name) }}
        {{ 'union all' if not loop.last }}
    {%- endfor %}

),

channels as (

    select * from {{ ref('channels') }}

),

line_amounts as (

    select * from {{ ref('int_order_line_amounts_converted') }}

),

cogs_effective as (

    select * from {{ ref('int_cogs_effective') }}

),

fx_rates_daily as (

    select * from {{ ref('int_fx_rates_daily') }}

),

lines_unioned as (

    select
        prepared_lines.channel,
        prepared_lines.order_id,
        prepared_lines.order_line_id,
        prepared_lines.sku,
        prepared_lines.order_date,
        prepared_lines.order_source,
        prepared_lines.source_currency,
        prepared_lines.marketplace,
        prepared_lines.shipping_country,
        prepared_lines.shipping_method,
        prepared_lines.shipping_service_level,
        prepared_lines.payment_gateway,
        prepared_lines.promotion_codes,
        case
            when channels.has_buyer_identity then prepared_lines.buyer_customer_key
        end as customer_key,
        prepared_lines.is_cancelled,
        prepared_lines.units,
        prepared_lines.restocked_units
    from prepared_lines
    left join channels
        on prepared_lines.channel = channels.channel

),

measures_per_line as (

    select
        order_line_id,
        {%- for measure in measures %}
            sum(case when measure = '{{ measure }}' then amount_source_cents else 0 end) as {{ measure }}_source_cents,
            sum(case when measure = '{{ measure }}' then amount_cents else 0 end) as {{ measure }}_cents,
        {%- endfor %}
        max(case when measure = 'refunds' and is_estimated then 1 else 0 end) as is_refund_estimated_flag
    from line_amounts
    group by 1

),

-- The landed unit cost whose validity window contains the order date.
line_costs as (

    select
        lines_unioned.order_line_id,
        cogs_effective.currency as cost_currency,
        cogs_effective.valid_from as cogs_rate_date,
        cogs_effective.landed_unit_cost,
        cast(round(
            (lines_unioned.units - lines_unioned.restocked_units) * cogs_effective.landed_unit_cost * 100, 0
        ) as bigint) as cogs_cost_currency_cents
    from lines_unioned
    inner join cogs_effective
        on
            lines_unioned.sku = cogs_effective.sku
            and lines_unioned.order_date >= cogs_effective.valid_from
            and (cogs_effective.valid_to is null or lines_unioned.order_date < cogs_effective.valid_to)

),

line_costs_converted as (

    select
        line_costs.*,
        {{ convert_cents('line_costs.cogs_cost_currency_cents', 'fx_rates_daily.rate_e6') }} as cogs_cents
    from line_costs
    left join fx_rates_daily
        on
            line_costs.cogs_rate_date = fx_rates_daily.rate_date
            and line_costs.cost_currency = fx_rates_daily.currency

),

joined as (

    select
        lines_unioned.*,
        {%- for measure in measures %}
            coalesce(measures_per_line.{{ measure }}_source_cents, 0) as {{ measure }}_source_cents,
            coalesce(measures_per_line.{{ measure }}_cents, 0) as {{ measure }}_cents,
        {%- endfor %}
        line_costs_converted.cost_currency,
        line_costs_converted.cogs_rate_date,
        line_costs_converted.landed_unit_cost,
        line_costs_converted.cogs_cost_currency_cents,
        line_costs_converted.cogs_cents,
        coalesce(measures_per_line.is_refund_estimated_flag = 1, false) as is_refund_estimated
    from lines_unioned
    left join measures_per_line
        on lines_unioned.order_line_id = measures_per_line.order_line_id
    left join line_costs_converted
        on lines_unioned.order_line_id = line_costs_converted.order_line_id

),

final as (

    select
        channel,
        order_id,
        order_line_id,
        sku,
        order_date,
        order_source,
        source_currency,
        '{{ var("reporting_currency") }}' as reporting_currency,
        marketplace,
        shipping_country,
        shipping_method,
        shipping_service_level,
        payment_gateway,
        promotion_codes,
        customer_key,
        is_cancelled,
        units,
        restocked_units,
        {%- for measure in measures %}
            {{ measure }}_source_cents,
            {{ measure }}_cents,
        {%- endfor %}
        gross_sales_source_cents - discounts_source_cents - refunds_source_cents as net_sales_source_cents,
        gross_sales_cents - discounts_cents - refunds_cents as net_sales_cents,
        cost_currency,
        cogs_rate_date,
        landed_unit_cost,
        cogs_cost_currency_cents,
        cogs_cents,
        {%- for measure in measures + ['net_sales'] %}
            {%- if measure == 'net_sales' %}
                {{ from_cents('gross_sales_source_cents - discounts_source_cents - refunds_source_cents') }} as net_sales_source,
                {{ from_cents('gross_sales_cents - discounts_cents - refunds_cents') }} as net_sales,
            {%- else %}
                {{ from_cents(measure ~ '_source_cents') }} as {{ measure }}_source,
                {{ from_cents(measure ~ '_cents') }} as {{ measure }},
            {%- endif %}
        {%- endfor %}
        {{ from_cents('cogs_cents') }} as cogs,
        is_refund_estimated
    from joined

)

select * from final
