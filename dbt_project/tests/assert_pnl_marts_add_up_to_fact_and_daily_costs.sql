{#-
    The P&L marts are roll-ups with nothing lost (metrics.md principle 3): over
    the whole period, channel x month, product x month and both daily views give
    the same totals of every P&L measure (pnl_measures seed: amounts, net_sales,
    the margins, net_profit) as fct_financial_performance plus fct_daily_costs.
    Returns one row per mart and measure whose totals differ.
-#}

-- The asset check shows on this model in Dagster (the test reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'fct_pnl_channel_monthly'}}}) }}

{%- set line_measures = pnl_measure_names(grain='order_line') %}
{%- set marts = {
    'fct_pnl_channel_monthly': "'fct_pnl_channel_monthly'",
    'fct_pnl_product_monthly': "'fct_pnl_product_monthly'",
    'fct_daily_pnl': "'fct_daily_pnl ' || pnl_view",
} %}

with

fact as (

    select
    {%- for measure in line_measures %}
            sum({{ measure }}) as {{ measure }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ ref('fct_financial_performance') }}

),

costs as (

    select sum(amount) as daily_costs
    from {{ ref('fct_daily_costs') }}

),

expected_amounts as (

    select
        fact.*,
        costs.daily_costs
    from fact
    cross join costs

),

-- Line measures as the fact sums them; day-grain subtotals (net_profit) from those sums.
expected as (

    select
    {%- for measure in pnl_measures() %}
            {{ measure.measure if measure.grain == 'order_line' else pnl_expression(measure) }}
                as {{ measure.measure }}{{ "," if not loop.last }}
    {%- endfor %}
    from expected_amounts

),

mart_totals as (

    {%- for mart, label in marts.items() %}
        select
            {{ label }} as mart,
        {%- for measure in pnl_measure_names() %}
            sum({{ measure }}) as {{ measure }}{{ "," if not loop.last }}
        {%- endfor %}
        from {{ ref(mart) }}
        {{- "\n        group by pnl_view" if mart == 'fct_daily_pnl' }}
        {{- "\n\n    union all\n" if not loop.last }}
    {%- endfor %}

),

differences as (

    {%- for measure in pnl_measure_names() %}
        select
            mart_totals.mart,
            '{{ measure }}' as measure,
            mart_totals.{{ measure }} as mart_total,
            expected.{{ measure }} as expected_total
        from mart_totals
        cross join expected
        where mart_totals.{{ measure }} != expected.{{ measure }}
        {{- "\n\n    union all\n" if not loop.last }}
    {%- endfor %}

)

select * from differences
