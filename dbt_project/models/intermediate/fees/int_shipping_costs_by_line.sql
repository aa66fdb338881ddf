-- Redshift: lines join lines on order_line_id, so they share its distribution.
{{ config(materialized='table', dist='order_line_id', sort='shipping_cost_date') }}

{#-
    Carrier shipping cost per order line (every line of int_order_lines), truth
    rule 12: the order's `shipment` invoice row (int_carrier_invoices_matched)
    in the invoice currency, dated by its ship date; without one, for an order
    the brand ships, the shipping_rates seed estimate (channel, service level,
    destination country, shipment weight in [from, to); else the `*` default
    row), dated by the order date and flagged `is_shipping_cost_estimated`.
    Allocated to the order's lines by units (remainder to the largest line, ties
    the lowest order_line_id) and converted at that date. FBA and cancelled
    orders carry 0. `shipping_cost_source` is the carrier-currency amount kept
    for reconciliation; the fact carries the converted `shipping_cost` only.
-#}

with

order_lines as (

    select
        order_line_id,
        order_id,
        channel,
        order_date,
        units
    from {{ ref('int_order_lines') }}

),

shipping_orders as (

    select * from {{ ref('int_shipping_orders') }}

),

invoices as (

    select * from {{ ref('int_carrier_invoices_matched') }}
    where disposition = 'shipment'

),

shipping_rates as (

    select * from {{ ref('shipping_rates') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates_daily') }}

),

shippable_orders as (

    select * from shipping_orders
    where is_shippable

),

exact_rates as (

    select
        shippable_orders.order_id,
        {{ to_cents('shipping_rates.cost') }} as rate_cents,
        shipping_rates.currency as rate_currency
    from shippable_orders
    inner join shipping_rates
        on
            shippable_orders.channel = shipping_rates.channel
            and shippable_orders.service_level = shipping_rates.service_level
            and shippable_orders.destination_country = shipping_rates.destination_country
            and shippable_orders.shipment_weight_kg >= shipping_rates.weight_from_kg
            and shippable_orders.shipment_weight_kg < shipping_rates.weight_to_kg

),

default_rate as (

    select
        {{ to_cents('cost') }} as rate_cents,
        currency as rate_currency
    from shipping_rates
    where channel = '*'

),

order_costs as (

    select
        shippable_orders.order_id,
        invoices.order_id is null as is_shipping_cost_estimated,
        coalesce(invoices.cost_source_cents, exact_rates.rate_cents, default_rate.rate_cents) as shipping_cost_cents,
        coalesce(invoices.source_currency, exact_rates.rate_currency, default_rate.rate_currency)
            as shipping_cost_currency,
        coalesce(invoices.ship_date, shippable_orders.order_date) as shipping_cost_date
    from shippable_orders
    left join invoices
        on shippable_orders.order_id = invoices.order_id
    left join exact_rates
        on shippable_orders.order_id = exact_rates.order_id
    cross join default_rate

),

shipped_lines as (

    select
        order_lines.order_line_id,
        order_lines.order_id,
        order_lines.units,
        order_costs.shipping_cost_cents,
        order_costs.shipping_cost_currency,
        order_costs.shipping_cost_date,
        order_costs.is_shipping_cost_estimated
    from order_lines
    inner join order_costs
        on order_lines.order_id = order_costs.order_id

),

allocated as (

    {{ allocate_cents(
        'shipped_lines', ['order_id'], 'shipping_cost_cents', 'units', 'order_line_id', 'shipping_cost_source_cents'
    ) }}

),

line_costs as (

    select
        order_lines.order_line_id,
        order_lines.order_id,
        order_lines.channel,
        coalesce(allocated.shipping_cost_date, order_lines.order_date) as shipping_cost_date,
        coalesce(allocated.shipping_cost_currency, '{{ var("reporting_currency") }}') as shipping_cost_currency,
        cast(coalesce(allocated.shipping_cost_source_cents, 0) as bigint) as shipping_cost_source_cents,
        coalesce(allocated.is_shipping_cost_estimated, false) as is_shipping_cost_estimated
    from order_lines
    left join allocated
        on order_lines.order_line_id = allocated.order_line_id

),

-- A zero cost needs no rate; any other cost without a rate stays null (and fails the not_null test).
converted as (

    select
        line_costs.*,
        fx_rates.rate_e6 as shipping_cost_rate_e6,
        case
            when line_costs.shipping_cost_source_cents = 0 then cast(0 as bigint)
            else {{ convert_cents('line_costs.shipping_cost_source_cents', 'fx_rates.rate_e6') }}
        end as shipping_cost_cents
    from line_costs
    left join fx_rates
        on
            line_costs.shipping_cost_date = fx_rates.rate_date
            and line_costs.shipping_cost_currency = fx_rates.currency

),

final as (

    select
        order_line_id,
        order_id,
        channel,
        shipping_cost_date,
        shipping_cost_currency,
        shipping_cost_rate_e6,
        shipping_cost_source_cents,
        shipping_cost_cents,
        {{ from_cents('shipping_cost_source_cents') }} as shipping_cost_source,
        {{ from_cents('shipping_cost_cents') }} as shipping_cost,
        is_shipping_cost_estimated
    from converted

)

select * from final
