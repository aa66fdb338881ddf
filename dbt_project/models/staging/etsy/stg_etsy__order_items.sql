with

landed as (

    {{ landed_latest_rows(source('etsy', 'order_items')) }}

),

final as (

    select
        order_id,
        transaction_id,
        listing_id,
        sku,
        item_name,
        variations,
        quantity,
        price,
        item_total,
        discount_amount,
        coupon_code,
        coupon_details,
        shipping_discount,
        order_shipping,
        order_sales_tax,
        vat_paid_by_buyer,
        currency,
        sale_date,
        date_paid,
        date_shipped,
        ship_city,
        ship_state,
        ship_zipcode,
        ship_country,
        order_type,
        listings_type,
        payment_type,
        business_date,
        {{ lineage_columns() }}
    from landed

)

select * from final
