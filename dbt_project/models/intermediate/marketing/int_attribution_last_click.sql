{#-
    The default attribution model (metrics.md "Attribution", docs/metrics.md rule 13):
    one row per Shopify order that has at least one touch in its lookback window
    (var('attribution_lookback_days') days up to and including its creation
    time; touches after the creation are ignored). Credit goes to the last touch
    with an ad platform, else (all touches direct) to the last touch.
    Ties on the touch time prefer the order's own landing site, then the
    greater landing URL. `touch_date` is the credited touch's day in the brand's
    time zone: the campaign-day whose spend the order's lines can carry.
    Orders without any touch (no email, or no visit in the window) have no row.
-#}
{%- set lookback_minutes = var('attribution_lookback_days') * 1440 -%}

with

shopify_orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

touchpoints as (

    select * from {{ ref('int_touchpoints_parsed') }}

),

orders as (

    select
        order_name as order_id,
        order_id as shopify_order_id,
        customer_key,
        created_at as order_created_at
    from shopify_orders

),

candidates as (

    select
        orders.order_id,
        orders.shopify_order_id,
        orders.customer_key,
        orders.order_created_at,
        touchpoints.touchpoint_id,
        touchpoints.touch_source,
        touchpoints.is_landing_site,
        touchpoints.touch_occurred_at,
        touchpoints.touch_date,
        touchpoints.landing_url,
        touchpoints.utm_source,
        touchpoints.utm_medium,
        touchpoints.utm_campaign,
        touchpoints.ad_platform,
        touchpoints.campaign_id,
        touchpoints.is_direct
    from orders
    inner join touchpoints
        on
            orders.customer_key = touchpoints.customer_key
            and orders.order_created_at >= touchpoints.touch_occurred_at
            and touchpoints.touch_occurred_at
            >= {{ dbt.dateadd('minute', -lookback_minutes, 'orders.order_created_at') }}

),

ranked as (

    select
        candidates.*,
        count(*) over (partition by order_id) as touches_in_window,
        sum(case when is_direct then 0 else 1 end) over (partition by order_id) as paid_touches_in_window,
        row_number() over (
            partition by order_id
            order by
                case when is_direct then 1 else 0 end,
                touch_occurred_at desc,
                case when is_landing_site then 0 else 1 end,
                landing_url desc
        ) as credit_rank
    from candidates

),

final as (

    select
        order_id,
        shopify_order_id,
        customer_key,
        order_created_at,
        touchpoint_id,
        touch_source,
        touch_occurred_at,
        touch_date,
        landing_url,
        utm_source,
        utm_medium,
        utm_campaign,
        ad_platform as platform,
        campaign_id,
        is_direct,
        touches_in_window,
        paid_touches_in_window
    from ranked
    where credit_rank = 1

)

select * from final
