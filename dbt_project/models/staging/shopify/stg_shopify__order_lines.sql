with

landed as (

    {{ landed_latest_rows(source('shopify', 'order_lines')) }}

),

api_orders as (

    {{ landed_latest_rows(source('shopify', 'orders'), prefer_format='shopify_orders_json') }}

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
        {{ lineage_columns() }}
    from precedence

)

select * from final
