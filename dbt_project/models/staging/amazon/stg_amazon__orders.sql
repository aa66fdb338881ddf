{#-
    Incremental by affected orders (macros/incremental.sql, landed_changed_keys): a run recomputes the whole
    orders whose item rows landed since the last build (a new report, a status update) or whose stored delivery
    was retracted, from every visible version of their items, so latest-wins still decides; orders no visible
    delivery holds any more are deleted.
-#}
{%- set changed_by = [[source('amazon', 'orders'), 'amazon_order_id']] -%}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='amazon_order_id',
    on_schema_change='fail',
    post_hook="{{ delete_hidden_source_rows() }}",
) }}

with

{% if is_incremental() -%}
    changed_orders as (

        {{ affected_keys(changed_by, 'amazon_order_id') }}

    ),

{% endif -%}
landed as (

    {{ landed_latest_rows(
        source('amazon', 'orders'),
        only_keys=['amazon_order_id', 'changed_orders'] if is_incremental() else none,
    ) }}

),

final as (

    select
        amazon_order_id,
        merchant_order_id,
        purchase_date,
        last_updated_date,
        order_status,
        fulfillment_channel,
        sales_channel,
        order_channel,
        ship_service_level,
        product_name,
        sku,
        asin,
        item_status,
        quantity,
        currency,
        item_price,
        item_tax,
        shipping_price,
        shipping_tax,
        gift_wrap_price,
        gift_wrap_tax,
        item_promotion_discount,
        ship_promotion_discount,
        ship_city,
        ship_state,
        ship_postal_code,
        ship_country,
        promotion_ids,
        is_business_order,
        business_date,
        {{ lineage_columns() }},
        ({{ landed_through(changed_by) }}) as _landed_through
    from landed

)

select * from final
