{#-
    Etsy's prepared order lines (docs/metrics.md rule 18) in the channel order-lines
    contract (one of the `channel_order_line_models` int_order_lines unions):
    one line per Sold Order Items row (its Transaction ID), dated by the sale
    date, in the file's currency. gross_sales = price x quantity, discounts the
    line's discount, shipping_revenue the order's shipping less its shipping
    discount allocated by gross share (rule 14), taxes 0 (Etsy collects and
    remits US sales tax as marketplace facilitator). Every Etsy order belongs to
    the `channels` seed row of platform `etsy` (source_channel_value `*`).
-#}

with

order_items as (

    select * from {{ ref('stg_etsy__order_items') }}

),

channels as (

    select * from {{ ref('channels') }}

),

-- The order's shipping and shipping discount repeat on each of its items.
items_priced as (

    select
        order_id,
        transaction_id as order_line_id,
        sku,
        sale_date,
        currency,
        ship_country,
        coupon_code,
        quantity,
        {{ to_cents('price') }} * quantity as gross_sales_cents,
        {{ to_cents('coalesce(discount_amount, 0)') }} as discounts_cents,
        max({{ to_cents('coalesce(order_shipping, 0) - coalesce(shipping_discount, 0)') }})
            over (partition by order_id) as order_shipping_cents
    from order_items

),

shipping_allocated as (

    {{ allocate_cents(
        'items_priced', ['order_id'], 'order_shipping_cents', 'gross_sales_cents', 'order_line_id',
        'shipping_revenue_cents'
    ) }}

),

final as (

    select
        cast((
            select channels.channel
            from channels
            where channels.platform = 'etsy' and channels.source_channel_value = '*'
        ) as {{ dbt.type_string() }}) as channel,
        cast(order_id as {{ dbt.type_string() }}) as order_id,
        cast(order_line_id as {{ dbt.type_string() }}) as order_line_id,
        cast('etsy_sold_order_items' as {{ dbt.type_string() }}) as order_source,
        cast(sku as {{ dbt.type_string() }}) as sku,
        cast(sale_date as date) as order_date,
        cast(currency as {{ dbt.type_string() }}) as source_currency,
        cast(null as {{ dbt.type_string() }}) as marketplace,
        cast(ship_country as {{ dbt.type_string() }}) as shipping_country,
        cast(null as {{ dbt.type_string() }}) as shipping_method,
        cast(null as {{ dbt.type_string() }}) as shipping_service_level,
        cast(null as {{ dbt.type_string() }}) as payment_gateway,
        cast(coupon_code as {{ dbt.type_string() }}) as promotion_codes,
        cast(null as {{ dbt.type_string() }}) as buyer_customer_key,
        false as is_cancelled,
        cast(quantity as bigint) as units,
        cast(0 as bigint) as restocked_units,
        cast(gross_sales_cents as bigint) as gross_sales_cents,
        cast(discounts_cents as bigint) as discounts_cents,
        cast(shipping_revenue_cents as bigint) as shipping_revenue_cents,
        cast(0 as bigint) as taxes_cents
    from shipping_allocated

)

select * from final
