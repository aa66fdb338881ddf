{{ config(materialized='table') }}

{#-
    One row per order of int_order_lines with what its shipping cost depends on
    (docs/metrics.md rule 12): the channel, whether the brand ships it
    (`is_shippable`: any of its lines needs shipping, int_shipping_lines: the
    channel's shipping_cost_rule is `carrier_invoices`, not cancelled, not a
    pickup order, and the line requires shipping), the rate-card keys (the
    prepared lines' shipping service level; destination country) and the
    shipment weight = sum(units x product weight in kg) over the lines that need
    shipping (an SKU missing from the products file weighs 0).
-#}

with

shipping_lines as (

    select * from {{ ref('int_shipping_lines') }}

),

final as (

    select
        order_id,
        min(channel) as channel,
        min(order_date) as order_date,
        sum(units) as units,
        sum(case when needs_shipping then weight_kg else 0 end) as shipment_weight_kg,
        max(case when is_cancelled then 1 else 0 end) = 1 as is_cancelled,
        max(case when is_pickup then 1 else 0 end) = 1 as is_pickup,
        max(case when needs_shipping then 1 else 0 end) = 1 as is_shippable,
        min(shipping_service_level) as service_level,
        min(shipping_country) as destination_country
    from shipping_lines
    group by order_id

)

select * from final
