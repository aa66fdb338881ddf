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

final as (

    select
        order_id,
        touchpoint_id,
        attribution_model,
        attribution_model = '{{ default_attribution_model() }}' as is_default_model,
        platform,
        campaign_id,
        {{ dbt.concat(['platform', "':'", 'campaign_id']) }} as ad_campaign_key,
        channel,
        is_direct,
        touch_position,
        touches_in_window,
        touch_occurred_at,
        touch_date,
        cast(age_days as numeric(18, 6)) as touch_age_days,
        landing_url,
        cast(credit as numeric(18, 12)) as credit
    from attribution_credits

)

select * from final
