-- Redshift: lines join lines on order_line_id, so they share its distribution.
{{ config(materialized='table', dist='order_line_id', sort='shipping_cost_date') }}

{#-
    Carrier shipping cost per order line and cost date (docs/metrics.md rule 12,
    contract v2), for every line of int_order_lines:
      - every `shipment` invoice row of the order (int_carrier_invoices_matched:
        each parcel of a split shipment, and charges on a parcel) in the invoice
        currency, dated by its ship date: a row tied to a fulfillment goes to
        that fulfillment's lines by the units it carried; an untied row (CSV
        orders, Amazon FBM, no tracking match) to all the order's lines that
        need shipping by units;
      - without any, for an order the brand ships, the shipping_rates seed
        estimate (channel, service level, destination country, weight of the
        lines that need shipping in [from, to); else the `*` default row), dated
        by the order date, over the lines that need shipping by units, flagged
        `is_shipping_cost_estimated`;
      - lines that need no shipping (int_shipping_lines: FBA, cancelled, pickup,
        `requires_shipping` false) take no share.
    Each amount is allocated by rule 14 (remainder to the largest weight, ties
    the lowest order_line_id); a line's shares of one date and currency are
    summed and converted at that date. Grain: one row per (order_line_id,
    shipping_cost_date, shipping_cost_currency); a line with no cost has one
    row of 0 at its order date. `shipping_cost_source` is the carrier-currency
    amount kept for reconciliation; the fact carries the converted
    `shipping_cost` only.
-#}

with

shipping_lines as (

    select * from {{ ref('int_shipping_lines') }}

),

shipping_orders as (

    select * from {{ ref('int_shipping_orders') }}

),

invoices as (

    select * from {{ ref('int_carrier_invoices_matched') }}
    where disposition = 'shipment'

),

fulfillment_lines as (

    select * from {{ ref('stg_shopify__fulfillment_lines') }}

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

-- A parcel tied to a fulfillment: that fulfillment's lines that need shipping, by the units it carried.
tied_weights as (

    select
        invoices.invoice_key as allocation_key,
        shipping_lines.order_line_id,
        invoices.ship_date as shipping_cost_date,
        invoices.source_currency as shipping_cost_currency,
        invoices.cost_source_cents as amount_cents,
        coalesce(fulfillment_lines.quantity, shipping_lines.units) as weight_units,
        false as is_shipping_cost_estimated
    from invoices
    inner join fulfillment_lines
        on invoices.fulfillment_id = fulfillment_lines.fulfillment_id
    inner join shipping_lines
        on
            fulfillment_lines.line_id = shipping_lines.order_line_id
            and shipping_lines.needs_shipping

),

-- Any other parcel (or charge): all of the order's lines that need shipping, by units.
untied_weights as (

    select
        invoices.invoice_key as allocation_key,
        shipping_lines.order_line_id,
        invoices.ship_date as shipping_cost_date,
        invoices.source_currency as shipping_cost_currency,
        invoices.cost_source_cents as amount_cents,
        shipping_lines.units as weight_units,
        false as is_shipping_cost_estimated
    from invoices
    inner join shipping_lines
        on
            invoices.order_id = shipping_lines.order_id
            and shipping_lines.needs_shipping
    where invoices.invoice_key not in (select tied_weights.allocation_key from tied_weights)

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

-- Orders the brand ships whose carrier invoice has not come in yet: the rate card.
estimated_orders as (

    select
        shippable_orders.order_id,
        shippable_orders.order_date,
        coalesce(exact_rates.rate_cents, default_rate.rate_cents) as rate_cents,
        coalesce(exact_rates.rate_currency, default_rate.rate_currency) as rate_currency
    from shippable_orders
    left join exact_rates
        on shippable_orders.order_id = exact_rates.order_id
    cross join default_rate
    where shippable_orders.order_id not in (
            select invoices.order_id
            from invoices
            where invoices.order_id is not null
        )

),

estimate_weights as (

    select
        {{ dbt.concat(["'estimate:'", "estimated_orders.order_id"]) }} as allocation_key,
        shipping_lines.order_line_id,
        estimated_orders.order_date as shipping_cost_date,
        estimated_orders.rate_currency as shipping_cost_currency,
        estimated_orders.rate_cents as amount_cents,
        shipping_lines.units as weight_units,
        true as is_shipping_cost_estimated
    from estimated_orders
    inner join shipping_lines
        on
            estimated_orders.order_id = shipping_lines.order_id
            and shipping_lines.needs_shipping

),

weights as (

    select * from tied_weights
    union all
    select * from untied_weights
    union all
    select * from estimate_weights

),

allocated as (

    {{ allocate_cents(
        'weights', ['allocation_key'], 'amount_cents', 'weight_units', 'order_line_id', 'shipping_cost_source_cents'
    ) }}

),

line_date_costs as (

    select
        order_line_id,
        shipping_cost_date,
        shipping_cost_currency,
        sum(shipping_cost_source_cents) as shipping_cost_source_cents,
        max(case when is_shipping_cost_estimated then 1 else 0 end) = 1 as is_shipping_cost_estimated
    from allocated
    group by order_line_id, shipping_cost_date, shipping_cost_currency

),

line_costs as (

    select
        shipping_lines.order_line_id,
        shipping_lines.order_id,
        shipping_lines.channel,
        coalesce(line_date_costs.shipping_cost_date, shipping_lines.order_date) as shipping_cost_date,
        coalesce(line_date_costs.shipping_cost_currency, '{{ var("reporting_currency") }}') as shipping_cost_currency,
        cast(coalesce(line_date_costs.shipping_cost_source_cents, 0) as bigint) as shipping_cost_source_cents,
        coalesce(line_date_costs.is_shipping_cost_estimated, false) as is_shipping_cost_estimated
    from shipping_lines
    left join line_date_costs
        on shipping_lines.order_line_id = line_date_costs.order_line_id

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
