{#-
    One row per promotion (metrics.md `dim_promotion`): Shopify discount codes
    (the orders' `discount_codes`, comma-separated, up to 5 per order) and Amazon
    promotion ids (All Orders `promotion-ids` and settlement `promotion-id`),
    with where and when they were used. `promotion_key` is `<platform>:<code>`.
-#}
{%- set max_codes = 5 -%}

with

shopify_orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

amazon_orders as (

    select * from {{ ref('stg_amazon__orders') }}

),

settlement_lines as (

    select * from {{ ref('stg_amazon__settlement_lines') }}

),

codes_used as (

    {%- for position in range(1, max_codes + 1) %}
        select
            'shopify' as platform,
            'discount_code' as promotion_type,
            trim({{ dbt.split_part('discount_codes', "','", position) }}) as promotion_code,
            order_name as order_id,
            {{ to_brand_date('created_at') }} as used_date
        from shopify_orders
        where discount_codes is not null

        union all
    {%- endfor %}

    {%- for position in range(1, max_codes + 1) %}
        select
            'amazon' as platform,
            'promotion_id' as promotion_type,
            trim({{ dbt.split_part('promotion_ids', "','", position) }}) as promotion_code,
            amazon_order_id as order_id,
            {{ to_brand_date('purchase_date') }} as used_date
        from amazon_orders
        where promotion_ids is not null

        union all
    {%- endfor %}

    select
        'amazon' as platform,
        'promotion_id' as promotion_type,
        trim(promotion_id) as promotion_code,
        order_id,
        posted_date as used_date
    from settlement_lines
    where promotion_id is not null

),

final as (

    select
        cast({{ dbt.concat(['platform', "':'", 'promotion_code']) }} as varchar(256)) as promotion_key,
        cast(platform as varchar(32)) as platform,
        cast(promotion_type as varchar(32)) as promotion_type,
        cast(promotion_code as varchar(256)) as promotion_code,
        min(used_date) as first_used_date,
        max(used_date) as last_used_date,
        cast(count(distinct order_id) as bigint) as order_count
    from codes_used
    where promotion_code is not null and promotion_code != ''
    group by 1, 2, 3, 4

)

select * from final
