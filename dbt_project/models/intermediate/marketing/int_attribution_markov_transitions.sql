{#-
    The first-order Markov chain of the data-driven model (docs/metrics.md rule 53),
    fitted on int_attribution_journeys: one row per (from_state, to_state) seen, with
    its count and probability = count / all transitions out of from_state.
    States: '(start)', each channel (ad platform or 'direct'), and the absorbing
    '(conversion)' and '(null)' (a journey that ended without an order).
    A journey c1 -> ... -> ck contributes (start) -> c1, c(i) -> c(i+1), and ck ->
    (conversion) or (null). Repeats of a channel (c -> c) are left out: a self-loop
    only delays a walk, it changes no absorption probability (with self-loop
    probability q, the other exits renormalise by 1 / (1 - q) either way).
-#}

with

journeys as (

    select * from {{ ref('int_attribution_journeys') }}

),

steps as (

    select
        journey_id,
        is_converting,
        step,
        channel,
        lead(channel) over (partition by journey_id order by step) as next_channel
    from journeys

),

transitions as (

    select
        '(start)' as from_state,
        channel as to_state
    from steps
    where step = 1

    union all

    select
        channel as from_state,
        coalesce(
            next_channel,
            case when is_converting then '(conversion)' else '(null)' end
        ) as to_state
    from steps

),

counted as (

    select
        from_state,
        to_state,
        count(*) as transitions
    from transitions
    where from_state != to_state
    group by from_state, to_state

),

final as (

    select
        from_state,
        to_state,
        transitions,
        cast(transitions as double precision)
        / sum(transitions) over (partition by from_state) as probability
    from counted

)

select * from final
