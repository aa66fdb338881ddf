{#-
    Every dated amount of every line by measure and event date, in source and
    reporting currency (docs/metrics.md rule 14): the order-dated sales amounts
    of the prepared lines (gross_sales, discounts, shipping_revenue, taxes at the
    order date; the `channel_order_line_models` var) and the dated line amounts
    of the `channel_line_amount_models` var (refunds, and the fees and shipping
    cost a channel's own statement carries) are summed per (line,
    measure, event date) in the source currency, then converted at that date's
    rate (int_fx_rates_daily) and rounded half away from zero. One row per
    (order_line_id, measure, event_date): the cash view of these amounts;
    int_order_lines sums the sales measures per line, fct_financial_performance
    the cost measures.
-#}
-- Redshift: lines join lines on order_line_id, so they share its distribution.
{{ config(materialized='table', dist='order_line_id', sort='event_date') }}

with

lines as (

    {%- for model_name in var('channel_order_line_models') %}
        select
            order_line_id,
            channel,
            order_date,
            source_currency,
            gross_sales_cents,
            discounts_cents,
            shipping_revenue_cents,
            taxes_cents
        from {{ ref(model_name) }}
        {{ 'union all' if not loop.last }}
    {%- endfor %}

),

line_amounts as (

    {%- for model_name in var('channel_line_amount_models') %}
        select
            order_line_id,
            measure,
            event_date,
            amount_source_cents,
            is_estimated
        from {{ ref(model_name) }}
        {{ 'union all' if not loop.last }}
    {%- endfor %}

),

fx_rates_daily as (

    select * from {{ ref('int_fx_rates_daily') }}

),

order_dated as (

    {%- for measure in ['gross_sales', 'discounts', 'shipping_revenue', 'taxes'] %}
        select
            order_line_id,
            '{{ measure }}' as measure,
            order_date as event_date,
            {{ measure }}_cents as amount_source_cents,
            false as is_estimated
        from lines
        {{ 'union all' if not loop.last }}
    {%- endfor %}

),

event_rows as (

    select * from order_dated
    union all
    select * from line_amounts

),

summed as (

    select
        event_rows.order_line_id,
        lines.channel,
        lines.source_currency,
        event_rows.measure,
        event_rows.event_date,
        sum(event_rows.amount_source_cents) as amount_source_cents,
        max(case when event_rows.is_estimated then 1 else 0 end) as is_estimated_flag
    from event_rows
    inner join lines
        on event_rows.order_line_id = lines.order_line_id
    group by 1, 2, 3, 4, 5

),

final as (

    select
        summed.order_line_id,
        summed.channel,
        summed.measure,
        summed.event_date,
        summed.source_currency,
        '{{ var("reporting_currency") }}' as reporting_currency,
        summed.amount_source_cents,
        fx_rates_daily.rate_e6,
        {{ convert_cents('summed.amount_source_cents', 'fx_rates_daily.rate_e6') }} as amount_cents,
        coalesce(summed.is_estimated_flag = 1, false) as is_estimated
    from summed
    left join fx_rates_daily
        on
            summed.event_date = fx_rates_daily.rate_date
            and summed.source_currency = fx_rates_daily.currency

)

select * from final
