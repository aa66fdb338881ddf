{{ config(materialized='table') }}

{#-
    One row per order of int_order_lines with what its shipping cost depends on:
    the channel, whether the brand ships it (`is_shippable`: orders of channels
    whose `channels` seed shipping_cost_rule is `carrier_invoices`, not
    cancelled; Amazon ships FBA orders and their FBA fee covers it), the
    rate-card keys (the prepared lines' shipping service level; destination
    country) and the shipment weight =
    sum(units x product weight in kg) (an SKU missing from the products file
    weighs 0).
-#}

with

order_lines as (

    select
        order_line_id,
        order_id,
        channel,
        sku,
        order_date,
        units,
        is_cancelled,
        shipping_service_level,
        shipping_country
    from {{ ref('int_order_lines') }}

),

channels as (

    select * from {{ ref('channels') }}

),

products as (

    select * from {{ ref('stg_brand__products') }}

),

final as (

    select
        order_lines.order_id,
        min(order_lines.channel) as channel,
        min(order_lines.order_date) as order_date,
        sum(order_lines.units) as units,
        sum(order_lines.units * coalesce(products.weight_kg, 0)) as shipment_weight_kg,
        max(case when order_lines.is_cancelled then 1 else 0 end) = 1 as is_cancelled,
        min(case when channels.shipping_cost_rule = 'carrier_invoices' then 1 else 0 end) = 1
        and max(case when order_lines.is_cancelled then 1 else 0 end) = 0 as is_shippable,
        min(order_lines.shipping_service_level) as service_level,
        min(order_lines.shipping_country) as destination_country
    from order_lines
    left join products
        on order_lines.sku = products.sku
    left join channels
        on order_lines.channel = channels.channel
    group by order_lines.order_id

)

select * from final
