{#-
    Daily P&L in two time views (metrics.md), one row per pnl_view, pnl_date
    and channel, reporting currency:
    - 'order_date': every line amount dated by its order (the fact summed by
      order_date);
    - 'cash': every amount dated by its own event: sales and discounts on the
      order date, refunds (and refunded shipping) on the refund date, payment
      fees on the charge date, Amazon fees on the settlement posted date (or the
      order date while estimated), COGS on the order date, shipping cost on the
      carrier invoice's ship date, ad spend on the spend date (a channel
      statement's ad fees on the statement date), and the fees and shipping cost
      a channel's statement carries on the statement date (they are line
      amounts, with the sales events).
    Both views carry the daily cost fact on its cost date. Over any period that
    contains all the events, the two views total to the same figures.
-#}

{{ config(sort=['pnl_date', 'channel']) }}

{#- Line amounts with an event date of their own; net sales and the margins derive from them (pnl_measures seed). #}
{%- set event_measures = pnl_measure_names(kind='amount', grain='order_line') %}

with

order_lines as (

    select * from {{ ref('fct_financial_performance') }}

),

sales_events as (

    select * from {{ ref('int_order_line_amounts_converted') }}

),

payment_fees as (

    select * from {{ ref('int_payment_fees_by_line') }}

),

amazon_fee_events as (

    select * from {{ ref('int_amazon_fee_events') }}

),

shipping_costs as (

    select * from {{ ref('int_shipping_costs_by_line') }}

),

ad_spend_allocated as (

    select * from {{ ref('int_ad_spend_allocated') }}
    where attribution_model = '{{ default_attribution_model() }}'

),

daily_costs as (

    select * from {{ ref('fct_daily_costs') }}

),

line_channels as (

    select
        order_line_id,
        channel,
        order_date
    from order_lines

),

order_date_view as (

    {%- for measure in event_measures %}
        select
            'order_date' as pnl_view,
            order_date as pnl_date,
            channel,
            '{{ measure }}' as measure,
            {{ to_cents(measure) }} as amount_cents
        from order_lines
        {{- "\n    union all" if not loop.last }}
    {%- endfor %}

),

cash_view as (

    select
        'cash' as pnl_view,
        event_date as pnl_date,
        channel,
        measure,
        amount_cents
    from sales_events

    union all

    select
        'cash' as pnl_view,
        order_date as pnl_date,
        channel,
        'cogs' as measure,
        {{ to_cents('cogs') }} as amount_cents
    from order_lines

    union all

    select
        'cash' as pnl_view,
        payment_fee_date as pnl_date,
        channel,
        'payment_fees' as measure,
        payment_fees_cents as amount_cents
    from payment_fees

    union all

    select
        'cash' as pnl_view,
        event_date as pnl_date,
        channel,
        fee_measure as measure,
        fee_cents as amount_cents
    from amazon_fee_events

    union all

    select
        'cash' as pnl_view,
        shipping_cost_date as pnl_date,
        channel,
        'shipping_cost' as measure,
        shipping_cost_cents as amount_cents
    from shipping_costs

    union all

    select
        'cash' as pnl_view,
        ad_spend_allocated.spend_date as pnl_date,
        line_channels.channel,
        'ad_spend' as measure,
        ad_spend_allocated.amount_cents
    from ad_spend_allocated
    inner join line_channels
        on ad_spend_allocated.order_line_id = line_channels.order_line_id

),

cost_rows as (

    {%- for view in ['order_date', 'cash'] %}
        select
            '{{ view }}' as pnl_view,
            cost_date as pnl_date,
            channel,
            'daily_costs' as measure,
            {{ to_cents('amount') }} as amount_cents
        from daily_costs
        {{- "\n    union all" if not loop.last }}
    {%- endfor %}

),

events as (

    select * from order_date_view
    union all
    select * from cash_view
    union all
    select * from cost_rows

),

daily as (

    select
        pnl_view,
        pnl_date,
        channel,
    {%- for measure in pnl_measure_names(kind='amount') %}
        sum(case when measure = '{{ measure }}' then amount_cents else 0 end) as {{ measure }}_cents
        {{- "," if not loop.last }}
    {%- endfor %}
    from events
    group by 1, 2, 3

),

final as (

    select
        cast(pnl_view as varchar) as pnl_view,
        cast(pnl_date as date) as pnl_date,
        cast(channel as varchar) as channel,
        cast('{{ var("reporting_currency") }}' as varchar) as reporting_currency,
    {%- for measure in pnl_measures() %}
        {{ from_cents(pnl_expression(measure, '{}_cents')) }} as {{ measure.measure }}
        {{- "," if not loop.last }}
    {%- endfor %}
    from daily

)

select * from final
