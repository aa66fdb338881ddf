{#-
    Channel P&L by month (metrics.md): the order-line fact summed by channel and
    order month, plus the daily cost fact by channel and cost month, so that
    net_profit = contribution_margin_3 - daily_costs. Costs no channel carries
    (subscriptions, unallocated ad spend, unmatched invoices) sit under the
    unassigned cost channel (the `channels` seed's `is_unassigned` row), so the
    channels add up to the brand's total.
-#}

{{ config(sort=['pnl_month', 'channel']) }}

{#- The line measures, net sales and margins included, summed from the fact (pnl_measures seed). #}
{%- set measures = pnl_measure_names(grain='order_line') %}

with

order_lines as (

    select * from {{ ref('fct_financial_performance') }}

),

daily_costs as (

    select * from {{ ref('fct_daily_costs') }}

),

line_totals as (

    select
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as pnl_month,
        channel,
        count(*) as order_lines,
        count(distinct order_id) as orders,
        sum(units) as units,
    {%- for measure in measures %}
        sum({{ measure }}) as {{ measure }}{{ "," if not loop.last }}
    {%- endfor %}
    from order_lines
    group by 1, 2

),

cost_totals as (

    select
        cast({{ dbt.date_trunc('month', 'cost_date') }} as date) as pnl_month,
        channel,
        sum(amount) as daily_costs
    from daily_costs
    group by 1, 2

),

joined as (

    select
        coalesce(line_totals.pnl_month, cost_totals.pnl_month) as pnl_month,
        coalesce(line_totals.channel, cost_totals.channel) as channel,
        coalesce(line_totals.order_lines, 0) as order_lines,
        coalesce(line_totals.orders, 0) as orders,
        coalesce(line_totals.units, 0) as units,
        {%- for measure in measures %}
            coalesce(line_totals.{{ measure }}, 0) as {{ measure }},
        {%- endfor %}
        coalesce(cost_totals.daily_costs, 0) as daily_costs
    from line_totals
    full outer join cost_totals
        on
            line_totals.pnl_month = cost_totals.pnl_month
            and line_totals.channel = cost_totals.channel

),

final as (

    select
        cast(pnl_month as date) as pnl_month,
        cast(channel as varchar) as channel,
        cast('{{ var("reporting_currency") }}' as varchar) as reporting_currency,
        cast(order_lines as bigint) as order_lines,
        cast(orders as bigint) as orders,
        cast(units as bigint) as units,
        {%- for measure in measures %}
            cast({{ measure }} as numeric(18, 2)) as {{ measure }},
        {%- endfor %}
        cast(daily_costs as numeric(18, 2)) as daily_costs,
    {%- for measure in pnl_measures(kind='subtotal', grain='day') %}
        cast({{ pnl_expression(measure) }} as numeric(18, 2)) as {{ measure.measure }}{{ "," if not loop.last }}
    {%- endfor %}
    from joined

)

select * from final
