{#-
    Product P&L by month (metrics.md): the order-line fact summed by SKU and
    order month (all channels), plus one member per month for the costs no
    product carries (sku var('unassigned_sku'), default 'UNASSIGNED': storage
    and subscription fees, unallocated ad spend and shipping, other settlement
    charges from fct_daily_costs), so products add up to the brand's total.
    net_profit = contribution_margin_3 - daily_costs.
-#}

{{ config(sort=['pnl_month', 'sku']) }}

{#- The line measures, net sales and margins included, summed from the fact (pnl_measures seed). #}
{%- set measures = pnl_measure_names(grain='order_line') %}

with

order_lines as (

    select * from {{ ref('fct_financial_performance') }}

),

daily_costs as (

    select * from {{ ref('fct_daily_costs') }}

),

products as (

    select * from {{ ref('dim_product') }}

),

line_totals as (

    select
        cast({{ dbt.date_trunc('month', 'order_date') }} as date) as pnl_month,
        sku,
        count(*) as order_lines,
        count(distinct order_id) as orders,
        sum(units) as units,
        {%- for measure in measures %}
            sum({{ measure }}) as {{ measure }},
        {%- endfor %}
        cast(0 as numeric(18, 2)) as daily_costs
    from order_lines
    group by 1, 2

),

unassigned_costs as (

    select
        cast({{ dbt.date_trunc('month', 'cost_date') }} as date) as pnl_month,
        '{{ var("unassigned_sku") }}' as sku,
        0 as order_lines,
        0 as orders,
        0 as units,
        {%- for measure in measures %}
            cast(0 as numeric(18, 2)) as {{ measure }},
        {%- endfor %}
        sum(amount) as daily_costs
    from daily_costs
    group by 1

),

product_rows as (

    select * from line_totals
    union all
    select * from unassigned_costs

),

final as (

    select
        cast(product_rows.pnl_month as date) as pnl_month,
        cast(product_rows.sku as varchar) as sku,
        cast(products.category as varchar) as category,
        cast('{{ var("reporting_currency") }}' as varchar) as reporting_currency,
        cast(product_rows.order_lines as bigint) as order_lines,
        cast(product_rows.orders as bigint) as orders,
        cast(product_rows.units as bigint) as units,
        {%- for measure in measures %}
            cast(product_rows.{{ measure }} as numeric(18, 2)) as {{ measure }},
        {%- endfor %}
        cast(product_rows.daily_costs as numeric(18, 2)) as daily_costs,
    {%- for measure in pnl_measures(kind='subtotal', grain='day') %}
        cast({{ pnl_expression(measure, 'product_rows.{}') }} as numeric(18, 2))
            as {{ measure.measure }}{{ "," if not loop.last }}
    {%- endfor %}
    from product_rows
    left join products
        on product_rows.sku = products.sku

)

select * from final
