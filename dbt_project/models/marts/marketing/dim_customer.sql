{#-
    The unified customer dimension (metrics.md "Unified customer"): one row per
    customer_key (salted SHA-256 of the trimmed, lower-cased email), Shopify
    orders only. Amazon buyers are unknown (no buyer identity in the reports):
    Amazon lines carry a null customer_key. No PII.
-#}

with

customers as (

    select * from {{ ref('int_customers_unified') }}

),

final as (

    select
        customer_key,
        first_order_date,
        first_order_month,
        second_order_date,
        last_order_date,
        cast(orders_count as bigint) as orders_count,
        cast(non_cancelled_orders_count as bigint) as non_cancelled_orders_count,
        is_repeat_customer
    from customers

)

select * from final
