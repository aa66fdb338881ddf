{{ config(materialized='table') }}

{#-
    One row per order of int_order_lines with what its shipping cost depends on:
    the channel, whether the brand ships it (`is_shippable`: Shopify Web and
    Amazon FBM orders that are not cancelled; Amazon ships FBA orders and their
    FBA fee covers it), the rate-card keys (service level: Express for a Shopify
    shipping method containing "express", else Standard; Amazon's
    ship-service-level as it is; destination country) and the shipment weight =
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
        shipping_method,
        shipping_country
    from {{ ref('int_order_lines') }}

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
        min(order_lines.channel) in ('Shopify Web', 'Amazon FBM')
        and max(case when order_lines.is_cancelled then 1 else 0 end) = 0 as is_shippable,
        min(
            case
                when order_lines.channel != 'Shopify Web' then order_lines.shipping_method
                when lower(order_lines.shipping_method) like '%express%' then 'Express'
                else 'Standard'
            end
        ) as service_level,
        min(order_lines.shipping_country) as destination_country
    from order_lines
    left join products
        on order_lines.sku = products.sku
    group by order_lines.order_id

)

select * from final
