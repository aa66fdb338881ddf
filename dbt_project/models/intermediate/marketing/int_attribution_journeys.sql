{#-
    The touch journeys the data-driven model is fitted on (docs/metrics.md rule 53),
    one row per step:
      - converting: each Shopify order's touches in its lookback window
        (int_attribution_touches), ending in the order; a touch in the windows of two
        orders of the same customer is in both journeys, as in the rule-based models;
      - non-converting: a customer's touches in no order's window (visits that led to
        no order within the lookback, e.g. a browse 40 days before an order or a visit
        after the last one), in time order, a new journey starting when the gap since
        the previous such touch exceeds the lookback window.
    `channel` is the touch's ad platform or 'direct'; `step` numbers the journey.
-#}
{%- set lookback_seconds = var('attribution_lookback_days') * 86400 -%}

with

order_touches as (

    select * from {{ ref('int_attribution_touches') }}

),

touchpoints as (

    select * from {{ ref('int_touchpoints_parsed') }}

),

converting as (

    select
        {{ dbt.concat(["'order:'", 'order_id']) }} as journey_id,
        true as is_converting,
        touch_position as step,
        touchpoint_id,
        touch_occurred_at,
        channel
    from order_touches

),

windowed_touches as (

    select distinct touchpoint_id
    from order_touches

),

unconverted_touches as (

    select
        touchpoints.customer_key,
        touchpoints.touchpoint_id,
        touchpoints.touch_occurred_at,
        touchpoints.landing_url,
        coalesce(touchpoints.ad_platform, 'direct') as channel,
        lag(touchpoints.touch_occurred_at) over (
            partition by touchpoints.customer_key
            order by touchpoints.touch_occurred_at, touchpoints.landing_url
        ) as previous_touch_at
    from touchpoints
    left join windowed_touches
        on touchpoints.touchpoint_id = windowed_touches.touchpoint_id
    where
        touchpoints.customer_key is not null
        and windowed_touches.touchpoint_id is null

),

journey_starts as (

    select
        unconverted_touches.*,
        case
            when previous_touch_at is null then 1
            when {{ dbt.datediff('previous_touch_at', 'touch_occurred_at', 'second') }} > {{ lookback_seconds }} then 1
            else 0
        end as starts_journey
    from unconverted_touches

),

numbered as (

    select
        journey_starts.*,
        sum(starts_journey) over (
            partition by customer_key
            order by touch_occurred_at, landing_url
            rows between unbounded preceding and current row
        ) as journey_number
    from journey_starts

),

non_converting as (

    select
        {{ dbt.concat(["'visitor:'", 'customer_key', "':'", dbt.cast('journey_number', dbt.type_string())]) }} as journey_id,
        false as is_converting,
        row_number() over (
            partition by customer_key, journey_number
            order by touch_occurred_at, landing_url
        ) as step,
        touchpoint_id,
        touch_occurred_at,
        channel
    from numbered

),

final as (

    select * from converting
    union all
    select * from non_converting

)

select * from final
