{#-
    One row per unified customer (metrics.md "Unified customer"): Shopify
    orders grouped by the salted SHA-256 of the trimmed, lower-cased email
    (macro customer_key; salt from env var COMMERCE_CUSTOMER_HASH_SALT). API and CSV-export versions of one order are
    one order (staging keeps the API's). Amazon reports carry no buyer identity,
    so Amazon buyers are not customers here (unknown buyer). Orders without an
    email have no customer. No raw email, name or address is kept.
-#}

with

shopify_orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

orders as (

    select
        customer_key,
        order_name,
        created_at,
        {{ to_brand_date('created_at') }} as order_date,
        cancelled_at
    from shopify_orders

),

ranked_orders as (

    select
        customer_key,
        order_date,
        row_number() over (partition by customer_key order by created_at, order_name) as order_number
    from orders
    where customer_key is not null

),

{#- The day of the customer's second order (cancelled orders count, like orders_count): repeat rates. -#}
second_orders as (

    select
        customer_key,
        order_date as second_order_date
    from ranked_orders
    where order_number = 2

),

customers as (

    select
        customer_key,
        min(created_at) as first_order_at,
        min(order_date) as first_order_date,
        max(order_date) as last_order_date,
        count(*) as orders_count,
        sum(case when cancelled_at is null then 1 else 0 end) as non_cancelled_orders_count
    from orders
    where customer_key is not null
    group by customer_key

),

final as (

    select
        customers.customer_key,
        customers.first_order_at,
        customers.first_order_date,
        cast({{ dbt.date_trunc('month', 'customers.first_order_date') }} as date) as first_order_month,
        second_orders.second_order_date,
        customers.last_order_date,
        customers.orders_count,
        customers.non_cancelled_orders_count,
        customers.orders_count > 1 as is_repeat_customer
    from customers
    left join second_orders
        on customers.customer_key = second_orders.customer_key

)

select * from final
