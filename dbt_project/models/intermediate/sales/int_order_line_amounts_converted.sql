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

-- Unique per (line, measure, event date) as they stand: a line is one row of `lines`.
order_dated as (

    {%- for measure in ['gross_sales', 'discounts', 'shipping_revenue', 'taxes'] %}
        select
            order_line_id,
            channel,
            source_currency,
            '{{ measure }}' as measure,
            order_date as event_date,
            {{ measure }}_cents as amount_source_cents
        from lines
        {{ 'union all' if not loop.last }}
    {%- endfor %}

),

-- Only the dated line amounts are summed, and then joined to the order-dated rows: summing the union of
-- both (every line four times) held a hash table of every row, which at 10M lines ran out of DuckDB's
-- memory_limit beside another model instead of spilling (README "Performance").
line_amounts_summed as (

    select
        order_line_id,
        measure,
        event_date,
        sum(amount_source_cents) as amount_source_cents,
        max(case when is_estimated then 1 else 0 end) as is_estimated_flag
    from line_amounts
    group by order_line_id, measure, event_date

),

line_amounts_of_lines as (

    select
        line_amounts_summed.order_line_id,
        lines.channel,
        lines.source_currency,
        line_amounts_summed.measure,
        line_amounts_summed.event_date,
        line_amounts_summed.amount_source_cents,
        line_amounts_summed.is_estimated_flag
    from line_amounts_summed
    inner join lines
        on line_amounts_summed.order_line_id = lines.order_line_id

),

summed as (

    select
        coalesce(order_dated.order_line_id, line_amounts_of_lines.order_line_id) as order_line_id,
        coalesce(order_dated.channel, line_amounts_of_lines.channel) as channel,
        coalesce(order_dated.source_currency, line_amounts_of_lines.source_currency) as source_currency,
        coalesce(order_dated.measure, line_amounts_of_lines.measure) as measure,
        coalesce(order_dated.event_date, line_amounts_of_lines.event_date) as event_date,
        coalesce(order_dated.amount_source_cents, 0)
        + coalesce(line_amounts_of_lines.amount_source_cents, 0) as amount_source_cents,
        coalesce(line_amounts_of_lines.is_estimated_flag, 0) as is_estimated_flag
    from order_dated
    full outer join line_amounts_of_lines
        on
            order_dated.order_line_id = line_amounts_of_lines.order_line_id
            and order_dated.measure = line_amounts_of_lines.measure
            and order_dated.event_date = line_amounts_of_lines.event_date

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
