{{ config(materialized='table') }}

{#-
    One row per line of int_order_lines with what its carrier cost depends on
    (docs/metrics.md rule 12, contract v2): its units and weight, and whether it
    needs a parcel at all (`needs_shipping`): the channel's `channels` seed
    shipping_cost_rule is `carrier_invoices` (the brand ships; Amazon ships FBA
    orders and their FBA fee covers it), the order is not cancelled (a cancelled
    order never shipped), it is not a pickup order (shipping method naming a
    pickup, e.g. Shopify "Local Pickup"), and the line requires shipping
    (Shopify `requires_shipping`, false for digital products and gift cards;
    lines of other channels always do). A line that needs no shipping takes no
    share of any parcel or estimate.
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
        shipping_service_level,
        shipping_country
    from {{ ref('int_order_lines') }}

),

shopify_lines as (

    select
        line_id,
        requires_shipping
    from {{ ref('stg_shopify__order_lines') }}

),

channels as (

    select * from {{ ref('channels') }}

),

products as (

    select * from {{ ref('stg_brand__products') }}

),

flagged as (

    select
        order_lines.order_line_id,
        order_lines.order_id,
        order_lines.channel,
        order_lines.sku,
        order_lines.order_date,
        order_lines.units,
        cast(order_lines.units * coalesce(products.weight_kg, 0) as numeric(18, 3)) as weight_kg,
        order_lines.is_cancelled,
        order_lines.shipping_method,
        order_lines.shipping_service_level,
        order_lines.shipping_country,
        coalesce(channels.shipping_cost_rule = 'carrier_invoices', false) as is_brand_shipped,
        coalesce(
            lower(order_lines.shipping_method) like '%pickup%'
            or lower(order_lines.shipping_method) like '%pick up%'
            or lower(order_lines.shipping_method) like '%pick-up%',
            false
        ) as is_pickup,
        coalesce(shopify_lines.requires_shipping, true) as requires_shipping
    from order_lines
    left join shopify_lines
        on order_lines.order_line_id = shopify_lines.line_id
    left join products
        on order_lines.sku = products.sku
    left join channels
        on order_lines.channel = channels.channel

),

final as (

    select
        flagged.*,
        flagged.is_brand_shipped
        and not coalesce(flagged.is_cancelled, false)
        and not flagged.is_pickup
        and flagged.requires_shipping as needs_shipping
    from flagged

)

select * from final
