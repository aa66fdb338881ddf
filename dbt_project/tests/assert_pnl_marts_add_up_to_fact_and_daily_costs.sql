{#-
    The P&L marts are roll-ups with nothing lost (metrics.md principle 3): over
    the whole period, channel x month, product x month and both daily views give
    the same net_sales, CM3 and net_profit as fct_financial_performance minus
    fct_daily_costs. Returns one row per mart whose totals differ.
-#}

-- The asset check shows on this model in Dagster (the test reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'fct_pnl_channel_monthly'}}}) }}

with

fact as (

    select
        sum(net_sales) as net_sales,
        sum(contribution_margin_3) as contribution_margin_3
    from {{ ref('fct_financial_performance') }}

),

costs as (

    select sum(amount) as daily_costs
    from {{ ref('fct_daily_costs') }}

),

expected as (

    select
        fact.net_sales,
        fact.contribution_margin_3,
        fact.contribution_margin_3 - costs.daily_costs as net_profit
    from fact
    cross join costs

),

marts as (

    select
        'fct_pnl_channel_monthly' as mart,
        sum(net_sales) as net_sales,
        sum(contribution_margin_3) as contribution_margin_3,
        sum(net_profit) as net_profit
    from {{ ref('fct_pnl_channel_monthly') }}

    union all

    select
        'fct_pnl_product_monthly' as mart,
        sum(net_sales) as net_sales,
        sum(contribution_margin_3) as contribution_margin_3,
        sum(net_profit) as net_profit
    from {{ ref('fct_pnl_product_monthly') }}

    union all

    select
        'fct_daily_pnl ' || pnl_view as mart,
        sum(net_sales) as net_sales,
        sum(contribution_margin_3) as contribution_margin_3,
        sum(net_profit) as net_profit
    from {{ ref('fct_daily_pnl') }}
    group by pnl_view

)

select
    marts.mart,
    marts.net_sales,
    expected.net_sales as expected_net_sales,
    marts.contribution_margin_3,
    expected.contribution_margin_3 as expected_contribution_margin_3,
    marts.net_profit,
    expected.net_profit as expected_net_profit
from marts
cross join expected
where
    marts.net_sales != expected.net_sales
    or marts.contribution_margin_3 != expected.contribution_margin_3
    or marts.net_profit != expected.net_profit
