{#-
    One row per sold Amazon order line (All Orders report) with its order-dated
    sales amounts in integer cents of the marketplace currency (docs/metrics.md rules 1, 4,
    5, 7, 8): cancelled lines (order status Cancelled, quantity 0) are not sales
    and are left out; `gross_sales` is `item-price` (a line total),
    `discounts` the `item-promotion-discount`, `shipping_revenue` the
    `shipping-price` less any `ship-promotion-discount`. Marketplace-facilitator
    tax (`item-tax`) is collected and remitted by Amazon: `taxes` is 0 and the
    tax is kept as `marketplace_facilitator_tax_cents` for reconciliation.
    Amazon returns are not known to be restocked: `restocked_units` is 0.
-#}

with

amazon_orders as (

    select * from {{ ref('stg_amazon__orders') }}

),

sold_lines as (

    select *
    from amazon_orders
    where
        coalesce(order_status, '') != 'Cancelled'
        and quantity > 0

),

final as (

    select
        case
            when fulfillment_channel = 'Amazon' then 'Amazon FBA'
            else 'Amazon FBM'
        end as channel,
        amazon_order_id as order_id,
        {{ dbt.concat(['amazon_order_id', "'-'", 'sku']) }} as order_line_id,
        'amazon_all_orders' as order_source,
        sku,
        asin,
        purchase_date as ordered_at,
        {{ to_brand_date('purchase_date') }} as order_date,
        currency as source_currency,
        sales_channel as marketplace,
        fulfillment_channel,
        order_status,
        item_status,
        ship_service_level,
        ship_country,
        ship_state,
        promotion_ids,
        is_business_order,
        quantity as units,
        0 as restocked_units,
        {{ to_cents('coalesce(item_price, 0)') }} as gross_sales_cents,
        {{ to_cents('coalesce(item_promotion_discount, 0)') }} as discounts_cents,
        {{ to_cents('coalesce(shipping_price, 0) - coalesce(ship_promotion_discount, 0)') }} as shipping_revenue_cents,
        0 as taxes_cents,
        {{ to_cents('coalesce(item_tax, 0) + coalesce(shipping_tax, 0)') }} as marketplace_facilitator_tax_cents
    from sold_lines

)

select * from final
