{#-
    Each attribution model's credit per order and touch (docs/metrics.md rules 50-54):
    one row per (order_id, touchpoint_id, attribution_model) with a credit above 0.
    The credits of an order sum to 1 for each model; an order without any touch in
    its lookback window has no row (credit 0). `is_default_model` marks the rows of
    the model the P&L carries (var attribution_model).
-#}

with

attribution_credits as (

    select * from {{ ref('int_attribution_credits') }}

),

touchpoints as (

    select * from {{ ref('int_touchpoints_parsed') }}

),

final as (

    select
        attribution_credits.order_id,
        attribution_credits.touchpoint_id,
        attribution_credits.attribution_model,
        attribution_credits.attribution_model = '{{ default_attribution_model() }}' as is_default_model,
        attribution_credits.platform,
        attribution_credits.campaign_id,
        {{ dbt.concat(['attribution_credits.platform', "':'", 'attribution_credits.campaign_id']) }} as ad_campaign_key,
        attribution_credits.channel,
        attribution_credits.is_direct,
        attribution_credits.touch_position,
        attribution_credits.touches_in_window,
        attribution_credits.touch_occurred_at,
        attribution_credits.touch_date,
        cast(attribution_credits.age_days as numeric(18, 6)) as touch_age_days,
        touchpoints.landing_url,
        cast(attribution_credits.credit as numeric(18, 12)) as credit
    from attribution_credits
    inner join touchpoints
        on attribution_credits.touchpoint_id = touchpoints.touchpoint_id

)

select * from final
