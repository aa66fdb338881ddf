{#-
    Incremental by affected orders (macros/incremental.sql, landed_changed_keys): a run recomputes the lines of
    the whole orders whose order or line rows landed since the last build (the API version of a CSV order
    replaces its lines) or whose stored delivery was retracted, from every visible version of them, so the
    API-over-CSV precedence and latest-wins still decide; orders no visible delivery holds any more lose their
    lines. A change of `shopify_gift_card_skus` needs `--full-refresh`.
-#}
{%- set changed_by = [
    [source('shopify', 'orders'), 'order_id'],
    [source('shopify', 'order_lines'), 'order_id'],
] -%}
{%- set only_keys = ['order_id', 'changed_orders'] if is_incremental() else none -%}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='order_id',
    on_schema_change='fail',
    post_hook="{{ delete_hidden_source_rows() }}",
) }}

with

{% if is_incremental() -%}
    changed_orders as (

        {{ affected_keys(changed_by, 'order_id') }}

    ),

{% endif -%}
landed as (

    {{ landed_latest_rows(source('shopify', 'order_lines'), only_keys=only_keys) }}

),

api_orders as (

    {{ landed_latest_rows(source('shopify', 'orders'), prefer_format='shopify_orders_json', only_keys=only_keys) }}

),

-- The API version of an order wins for the whole order (metrics.md, Unified customer).
precedence as (

    select landed.*
    from landed
    where
        landed._source_format = 'shopify_orders_json'
        or landed.order_id not in (
            select api_orders.order_id
            from api_orders
            where api_orders._source_format = 'shopify_orders_json'
        )

),

final as (

    select
        line_id,
        order_id,
        order_name,
        line_position,
        sku,
        product_name,
        vendor,
        quantity,
        unit_price,
        compare_at_price,
        line_discount,
        discount_allocated,
        tax,
        taxable,
        requires_shipping,
        fulfillment_status,
        grams,
        -- The CSV export has no gift-card flag: the shop's gift-card SKUs (var shopify_gift_card_skus) say it.
        coalesce(is_gift_card, false)
        or coalesce(sku in ('{{ var("shopify_gift_card_skus") | join("', '") }}'), false) as is_gift_card,
        currency,
        created_at,
        business_date,
        case
            when _source_format = 'shopify_orders_json' then 'shopify_api'
            else 'shopify_csv'
        end as order_source,
        {{ lineage_columns() }},
        ({{ landed_through(changed_by) }}) as _landed_through
    from precedence

)

select * from final
