{#-
    FactFinancialPerformance (metrics.md): one row per sold order line per
    channel, every measure in the reporting currency with `_source` twins in the
    sale's currency. The line's sales, refunds, COGS and customer key come from
    int_order_lines; payment fees, Amazon marketplace and fulfillment fees,
    shipping cost and attributed ad spend each come from their own allocation
    model, which already split the parent amount to lines in integer cents
    (largest share takes the rounding), plus the fees and shipping cost a
    channel's own statement carries (its line amounts in
    int_order_line_amounts_converted; its ad fees are allocated ad spend).
    Net sales and the margins are computed here, in cents, from the amounts
    with the signs and tiers of the pnl_measures seed, so they add up exactly.

    Incremental (delete+insert by order): every run still computes every line
    from the intermediate tables the same build refreshes, then rewrites only
    the orders whose lines differ from the stored ones (a late settlement,
    refund, invoice, payments export, API order, cost or rate, and orders whose
    ad spend share moved because another order joined or left their
    campaign-day), plus every order dated within [start_date, end_date] when a
    backfill passes those vars. Whole orders are replaced, so lines a later
    version renamed (CSV export -> Admin API line ids) go; the post-hook drops
    orders that lost every line. See the model docs for what needs --full-refresh.
-#}

{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='order_id',
        on_schema_change='fail',
        dist='order_id',
        sort=['order_date', 'channel'],
        post_hook="{{ delete_vanished_order_lines(ref('int_order_lines')) }}",
    )
}}

{%- set statement_cost_measures = ['payment_fees', 'marketplace_fees', 'fulfillment_fees', 'shipping_cost'] -%}
{%- set start_date = var('start_date', none) -%}
{%- set end_date = var('end_date', none) -%}
{%- if (start_date is none) != (end_date is none) -%}
    {{ exceptions.raise_compiler_error(
        'fct_financial_performance: a backfill needs both start_date and end_date vars (or neither)'
    ) }}
{%- endif %}

with

order_lines as (

    select * from {{ ref('int_order_lines') }}

),

payment_fees as (

    select * from {{ ref('int_payment_fees_by_line') }}

),

amazon_fees as (

    select * from {{ ref('int_amazon_fees_by_line') }}

),

-- A line's carrier cost can have several dates (the parcels of a split shipment): summed per line.
shipping_costs as (

    select
        order_line_id,
        sum(shipping_cost_cents) as shipping_cost_cents,
        max(case when is_shipping_cost_estimated then 1 else 0 end) = 1 as is_shipping_cost_estimated
    from {{ ref('int_shipping_costs_by_line') }}
    group by order_line_id

),

ad_spend as (

    select * from {{ ref('int_ad_spend_by_line') }}

),

line_amounts as (

    select * from {{ ref('int_order_line_amounts_converted') }}

),

-- Fees and shipping cost from a channel's statement, per line (each event converted at its date).
statement_costs as (

    select
        {%- for measure in statement_cost_measures %}
            sum(case when measure = '{{ measure }}' then amount_source_cents else 0 end) as {{ measure }}_source_cents,
            sum(case when measure = '{{ measure }}' then amount_cents else 0 end) as {{ measure }}_cents,
            max(case when measure = '{{ measure }}' and is_estimated then 1 else 0 end) as {{ measure }}_estimated_flag,
        {%- endfor %}
        order_line_id
    from line_amounts
    where measure in ('{{ statement_cost_measures | join("', '") }}')
    group by order_line_id

),

lines_with_costs as (

    select
        order_lines.*,
        coalesce(payment_fees.payment_fees_source_cents, 0) + coalesce(statement_costs.payment_fees_source_cents, 0)
            as payment_fees_source_cents,
        coalesce(payment_fees.payment_fees_cents, 0) + coalesce(statement_costs.payment_fees_cents, 0)
            as payment_fees_cents,
        coalesce(amazon_fees.marketplace_fees_source_cents, 0)
        + coalesce(statement_costs.marketplace_fees_source_cents, 0) as marketplace_fees_source_cents,
        coalesce(amazon_fees.marketplace_fees_cents, 0) + coalesce(statement_costs.marketplace_fees_cents, 0)
            as marketplace_fees_cents,
        coalesce(amazon_fees.fulfillment_fees_source_cents, 0)
        + coalesce(statement_costs.fulfillment_fees_source_cents, 0) as fulfillment_fees_source_cents,
        coalesce(amazon_fees.fulfillment_fees_cents, 0) + coalesce(statement_costs.fulfillment_fees_cents, 0)
            as fulfillment_fees_cents,
        coalesce(shipping_costs.shipping_cost_cents, 0) + coalesce(statement_costs.shipping_cost_cents, 0)
            as shipping_cost_cents,
        coalesce(ad_spend.ad_spend_cents, 0) as ad_spend_cents,
        coalesce(payment_fees.is_payment_fee_estimated, false)
        or coalesce(statement_costs.payment_fees_estimated_flag = 1, false) as is_payment_fee_estimated,
        coalesce(amazon_fees.is_marketplace_fee_estimated, false)
        or coalesce(statement_costs.marketplace_fees_estimated_flag = 1, false)
        or coalesce(statement_costs.fulfillment_fees_estimated_flag = 1, false) as is_marketplace_fee_estimated,
        coalesce(shipping_costs.is_shipping_cost_estimated, false)
        or coalesce(statement_costs.shipping_cost_estimated_flag = 1, false) as is_shipping_cost_estimated
    from order_lines
    left join payment_fees
        on order_lines.order_line_id = payment_fees.order_line_id
    left join amazon_fees
        on order_lines.order_line_id = amazon_fees.order_line_id
    left join shipping_costs
        on order_lines.order_line_id = shipping_costs.order_line_id
    left join ad_spend
        on order_lines.order_line_id = ad_spend.order_line_id
    left join statement_costs
        on order_lines.order_line_id = statement_costs.order_line_id

),

computed as (

    select
        cast(order_line_id as varchar) as order_line_id,
        cast(order_id as varchar) as order_id,
        cast(channel as varchar) as channel,
        cast(sku as varchar) as sku,
        cast(order_date as date) as order_date,
        cast(order_source as varchar) as order_source,
        cast(marketplace as varchar) as marketplace,
        cast(customer_key as varchar) as customer_key,
        cast(promotion_codes as varchar) as promotion_codes,
        cast(shipping_country as varchar) as shipping_country,
        cast(is_cancelled as boolean) as is_cancelled,
        cast(reporting_currency as varchar) as reporting_currency,
        cast(source_currency as varchar) as source_currency,
        cast(units as bigint) as units,
        cast(restocked_units as bigint) as restocked_units,
        {#- Every measure the line carries, margins from their amounts (pnl_measures seed). #}
        {%- for measure in pnl_measures(grain='order_line') %}
            {{ from_cents(pnl_expression(measure, '{}_cents')) }} as {{ measure.measure }},
        {%- endfor %}
        {{ from_cents('gross_sales_source_cents') }} as gross_sales_source,
        {{ from_cents('discounts_source_cents') }} as discounts_source,
        {{ from_cents('refunds_source_cents') }} as refunds_source,
        {{ from_cents(pnl_subtotal('net_sales', '{}_source_cents')) }} as net_sales_source,
        {{ from_cents('shipping_revenue_source_cents') }} as shipping_revenue_source,
        {{ from_cents('taxes_source_cents') }} as taxes_source,
        {{ from_cents('payment_fees_source_cents') }} as payment_fees_source,
        {{ from_cents('marketplace_fees_source_cents') }} as marketplace_fees_source,
        {{ from_cents('fulfillment_fees_source_cents') }} as fulfillment_fees_source,
        cast(
            is_payment_fee_estimated
            or is_refund_estimated
            or is_marketplace_fee_estimated
            or is_shipping_cost_estimated
            as boolean
        ) as is_estimated,
        cast(is_payment_fee_estimated as boolean) as is_payment_fee_estimated,
        cast(is_marketplace_fee_estimated as boolean) as is_marketplace_fee_estimated,
        cast(is_shipping_cost_estimated as boolean) as is_shipping_cost_estimated,
        cast(is_refund_estimated as boolean) as is_refund_estimated
    from lines_with_costs

),

{%- if is_incremental() %}

    stored as (

        select * from {{ this }}

    ),

    {#- Every stored column but the join key and the audit stamp (on_schema_change='fail' keeps them the contract's). #}
    {%- set compared_columns = [] %}
    {%- for column in adapter.get_columns_in_relation(this) %}
        {%- if column.name | lower not in ['order_line_id', '_processed_at'] %}
            {%- do compared_columns.append(column.name | lower) %}
        {%- endif %}
    {%- endfor %}

    -- Lines that are new, gone or differ in any stored value: their orders are rewritten whole.
    changed_orders as (

        select coalesce(computed.order_id, stored.order_id) as order_id
        from computed
        full outer join stored
            on computed.order_line_id = stored.order_line_id
        where
            computed.order_line_id is null
            or stored.order_line_id is null
            {%- for column in compared_columns %}
                or {{ values_differ('computed.' ~ column, 'stored.' ~ column) }}
            {%- endfor %}

    ),

    orders_to_process as (

        select order_id from changed_orders
        {%- if start_date is not none %}
            -- A backfill re-processes its order-date range whether or not anything changed.
            union
            select order_id from computed
            where
                order_date >= cast('{{ start_date }}' as date)
                and order_date <= cast('{{ end_date }}' as date)
        {%- endif %}

    ),

{%- endif %}

final as (

    select
        computed.*,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp) as _processed_at
    from computed
    {%- if is_incremental() %}
        where computed.order_id in (select orders_to_process.order_id from orders_to_process)
    {%- endif %}

)

select * from final
