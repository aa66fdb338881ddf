{#-
    Shopify's prepared order lines: int_shopify_order_lines_allocated in the
    channel order-lines contract (one of the `channel_order_line_models` that
    int_order_lines unions). Every Shopify order belongs to the channel the
    `channels` seed gives platform `shopify` with source_channel_value `*`; a
    missing seed row leaves `channel` null and fails the model's tests. The
    shipping service level follows the rate card: Express for a shipping method
    containing "express", else Standard (docs/metrics.md rule 12).
-#}
{#- A view: a projection of the allocated table, read twice per build. -#}
{{ config(materialized='view') }}

with

allocated_lines as (

    select * from {{ ref('int_shopify_order_lines_allocated') }}

),

channels as (

    select * from {{ ref('channels') }}

),

final as (

    select
        cast((
            select channels.channel
            from channels
            where channels.platform = 'shopify' and channels.source_channel_value = '*'
        ) as {{ dbt.type_string() }}) as channel,
        cast(order_id as {{ dbt.type_string() }}) as order_id,
        cast(order_line_id as {{ dbt.type_string() }}) as order_line_id,
        cast(order_source as {{ dbt.type_string() }}) as order_source,
        cast(sku as {{ dbt.type_string() }}) as sku,
        cast(order_date as date) as order_date,
        cast(source_currency as {{ dbt.type_string() }}) as source_currency,
        cast(null as {{ dbt.type_string() }}) as marketplace,
        cast(shipping_country as {{ dbt.type_string() }}) as shipping_country,
        cast(shipping_method as {{ dbt.type_string() }}) as shipping_method,
        cast(
            case when lower(shipping_method) like '%express%' then 'Express' else 'Standard' end
            as {{ dbt.type_string() }}
        ) as shipping_service_level,
        cast(payment_gateway as {{ dbt.type_string() }}) as payment_gateway,
        cast(discount_codes as {{ dbt.type_string() }}) as promotion_codes,
        cast(customer_key as {{ dbt.type_string() }}) as buyer_customer_key,
        cast(is_cancelled as boolean) as is_cancelled,
        cast(units as bigint) as units,
        cast(restocked_units as bigint) as restocked_units,
        cast(gross_sales_cents as bigint) as gross_sales_cents,
        cast(discounts_cents as bigint) as discounts_cents,
        cast(shipping_revenue_cents as bigint) as shipping_revenue_cents,
        cast(taxes_cents as bigint) as taxes_cents
    from allocated_lines

)

select * from final
