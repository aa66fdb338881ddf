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
{#-
    Picked from int_attribution_touches, whose journey order is the reverse of this
    preference among direct and among non-direct touches (the last position is the
    latest touch, the landing site after an export at the same instant, then the
    greater URL): the lookback join is done once, there.
-#}

with

touches as (

    select * from {{ ref('int_attribution_touches') }}

),

touchpoints as (

    select * from {{ ref('int_touchpoints_parsed') }}

),

shopify_orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

ranked as (

    select
        touches.*,
        sum(case when touches.is_direct then 0 else 1 end) over (
            partition by touches.order_id
        ) as paid_touches_in_window,
        row_number() over (
            partition by touches.order_id
            order by case when touches.is_direct then 1 else 0 end, touches.touch_position desc
        ) as credit_rank
    from touches

),

final as (

    select
        ranked.order_id,
        shopify_orders.order_id as shopify_order_id,
        ranked.customer_key,
        ranked.order_created_at,
        ranked.touchpoint_id,
        touchpoints.touch_source,
        ranked.touch_occurred_at,
        ranked.touch_date,
        ranked.landing_url,
        touchpoints.utm_source,
        touchpoints.utm_medium,
        touchpoints.utm_campaign,
        ranked.platform,
        ranked.campaign_id,
        ranked.is_direct,
        ranked.touches_in_window,
        ranked.paid_touches_in_window
    from ranked
    inner join touchpoints
        on ranked.touchpoint_id = touchpoints.touchpoint_id
    inner join shopify_orders
        on ranked.order_id = shopify_orders.order_name
    where ranked.credit_rank = 1

)

select * from final
