with

landed as (

    {{ landed_latest_rows(source('shopify', 'orders'), prefer_format='shopify_orders_json') }}

),

final as (

    select
        order_id,
        order_name,
        {{ customer_key('email') }} as customer_key,
        created_at,
        created_at_local,
        processed_at,
        updated_at,
        paid_at,
        fulfilled_at,
        cancelled_at,
        financial_status,
        fulfillment_status,
        currency,
        presentment_currency,
        subtotal,
        total_line_items_price,
        total_discounts,
        shipping,
        shipping_discount,
        shipping_tax,
        taxes,
        total,
        refunded_amount,
        outstanding_balance,
        taxes_included,
        discount_codes,
        shipping_method,
        payment_method,
        source_name,
        landing_site,
        referring_site,
        note_attributes,
        customer_id,
        shipping_country,
        shipping_province,
        shipping_zip,
        tags,
        business_date,
        case
            when _source_format = 'shopify_orders_json' then 'shopify_api'
            else 'shopify_csv'
        end as order_source,
        {{ lineage_columns() }}
    from landed

)

select * from final
