{#-
    The touch journey of each Shopify order (docs/metrics.md rules 13 and 50): one row
    per touch of the order's customer in its lookback window (var
    attribution_lookback_days days up to and including the order's creation; later
    touches are ignored). Orders without any touch have no row.
    `touch_position` orders the journey: by time, then the order's own landing site
    after an exported visit at the same instant, then by landing URL, so the last
    position is the touch last click would take among equals.
    `age_days` is the touch's age at the order's creation in (fractional) days, the
    time-decay model's clock. `channel` is the touch's ad platform, or 'direct' for a
    touch without one: the states of the data-driven model.
-#}
{%- set lookback_minutes = var('attribution_lookback_days') * 1440 -%}

with

shopify_orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

touchpoints as (

    select * from {{ ref('int_touchpoints_parsed') }}

),

candidates as (

    select
        shopify_orders.order_name as order_id,
        shopify_orders.customer_key,
        shopify_orders.created_at as order_created_at,
        touchpoints.touchpoint_id,
        touchpoints.is_landing_site,
        touchpoints.touch_occurred_at,
        touchpoints.touch_date,
        touchpoints.landing_url,
        touchpoints.ad_platform as platform,
        touchpoints.campaign_id,
        touchpoints.is_direct
    from shopify_orders
    inner join touchpoints
        on
            shopify_orders.customer_key = touchpoints.customer_key
            and shopify_orders.created_at >= touchpoints.touch_occurred_at
            and touchpoints.touch_occurred_at
            >= {{ dbt.dateadd('minute', -lookback_minutes, 'shopify_orders.created_at') }}

),

final as (

    select
        order_id,
        customer_key,
        order_created_at,
        touchpoint_id,
        row_number() over (
            partition by order_id
            order by
                touch_occurred_at,
                case when is_landing_site then 1 else 0 end,
                landing_url
        ) as touch_position,
        count(*) over (partition by order_id) as touches_in_window,
        touch_occurred_at,
        touch_date,
        cast({{ dbt.datediff('touch_occurred_at', 'order_created_at', 'second') }} as double precision)
        / 86400 as age_days,
        landing_url,
        platform,
        campaign_id,
        coalesce(platform, 'direct') as channel,
        is_direct
    from candidates

)

select * from final
