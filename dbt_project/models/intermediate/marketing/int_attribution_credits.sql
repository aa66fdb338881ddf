{#-
    Every attribution model's credit per order and touch (metrics.md "Attribution",
    docs/metrics.md rules 50-54). One row per (order, touch, attribution_model) with a
    credit above 0; the credits of an order sum to 1 per model (an order without any
    touch in its window has no row). Touches in journey order (int_attribution_touches):
      - last_click: the touch int_attribution_last_click credits (the last non-direct
        touch, else the last touch), 1;
      - first_click: the first non-direct touch, else the first touch, 1;
      - linear: 1 / n for each of the n touches;
      - time_decay: 2^(-age_days / 7) / the order's sum of it (age at the order's
        creation, fractional days: a touch a week older gets half the weight);
      - position_based: one touch 1; two 0.5 each; n >= 3: first 0.4, last 0.4, each
        middle touch 0.2 / (n - 2);
      - data_driven: the removal effect of the touch's channel
        (int_attribution_markov_removal_effects) / the order's sum of them over its
        touches; equal shares when that sum is 0 (no fitted effect, e.g. an order
        with only channels no converting journey has).
    Narrow on purpose (3.4 M rows at 1 M order lines, most of the model's time is writing them): the
    touch's customer, URL and order time are in int_attribution_touches; fct_attribution_credits adds the URL.
-#}
{%- set half_life_days = 7 -%}

with

touches as (

    select * from {{ ref('int_attribution_touches') }}

),

last_click as (

    select * from {{ ref('int_attribution_last_click') }}

),

removal_effects as (

    select * from {{ ref('int_attribution_markov_removal_effects') }}

),

weighted as (

    select
        touches.*,
        row_number() over (
            partition by touches.order_id
            order by case when touches.is_direct then 1 else 0 end, touches.touch_position
        ) as first_click_rank,
        power(cast(2 as double precision), -touches.age_days / {{ half_life_days }}) as decay_weight,
        coalesce(removal_effects.removal_effect, 0) as removal_effect
    from touches
    left join removal_effects
        on touches.channel = removal_effects.channel

),

order_sums as (

    select
        weighted.*,
        sum(decay_weight) over (partition by order_id) as order_decay_weight,
        sum(removal_effect) over (partition by order_id) as order_removal_effect
    from weighted

),

credits as (

    select
        order_sums.*,
        'last_click' as attribution_model,
        cast(1 as double precision) as credit
    from order_sums
    inner join last_click
        on
            order_sums.order_id = last_click.order_id
            and order_sums.touchpoint_id = last_click.touchpoint_id

    union all

    select
        order_sums.*,
        'first_click' as attribution_model,
        cast(1 as double precision) as credit
    from order_sums
    where first_click_rank = 1

    union all

    select
        order_sums.*,
        'linear' as attribution_model,
        cast(1 as double precision) / touches_in_window as credit
    from order_sums

    union all

    select
        order_sums.*,
        'time_decay' as attribution_model,
        decay_weight / order_decay_weight as credit
    from order_sums

    union all

    select
        order_sums.*,
        'position_based' as attribution_model,
        case
            when touches_in_window = 1 then cast(1 as double precision)
            when touches_in_window = 2 then cast(0.5 as double precision)
            when touch_position = 1 or touch_position = touches_in_window then cast(0.4 as double precision)
            else cast(0.2 as double precision) / (touches_in_window - 2)
        end as credit
    from order_sums

    union all

    select
        order_sums.*,
        'data_driven' as attribution_model,
        case
            when order_removal_effect > 0 then removal_effect / order_removal_effect
            else cast(1 as double precision) / touches_in_window
        end as credit
    from order_sums

),

final as (

    select
        order_id,
        attribution_model,
        touchpoint_id,
        touch_position,
        touches_in_window,
        touch_occurred_at,
        touch_date,
        age_days,
        platform,
        campaign_id,
        channel,
        is_direct,
        credit
    from credits
    where credit > 0

)

select * from final
