{#-
    Removal effect of each channel in the data-driven model (docs/metrics.md rule 53).
    P = probability that the chain of int_attribution_markov_transitions, started in
    '(start)', is absorbed in '(conversion)'. P(-c), channel c removed = the same
    chain where every arrival in c ends in '(null)'. removal_effect(c) = 1 - P(-c) / P.
    Absorption probabilities: the 32-step matrices of int_attribution_markov_powers
    squared 5 more times give each scenario's 1024-step probabilities from '(start)'.
    What is still on a channel after them is `unabsorbed_probability`; a data test
    requires it below 1e-9 (journeys would have to cycle between channels for
    hundreds of steps to fail it).
    `removal_effect_share` = removal_effect / the sum over channels: the channel's
    share of all conversions.
-#}
{{ config(
    pre_hook="set jit = off" if target.type == 'postgres' else [],
    post_hook="reset jit" if target.type == 'postgres' else []
) }}

with

powers as (

    select * from {{ ref('int_attribution_markov_powers') }}

),

{{ markov_squarings('powers', 'power', 5) }},

absorbed as (

    select
        removed_channel,
        sum(case when to_state = '(conversion)' then probability else 0 end) as conversion_probability,
        sum(case when to_state in ('(conversion)', '(null)') then 0 else probability end) as unabsorbed_probability
    from power_5
    where from_state = '(start)'
    group by removed_channel

),

baseline as (

    select
        conversion_probability,
        unabsorbed_probability
    from absorbed
    where removed_channel = '(none)'

),

effects as (

    select
        removed.removed_channel as channel,
        baseline.conversion_probability,
        removed.conversion_probability as conversion_probability_without_channel,
        case
            -- Removing a state cannot raise P; clamp float noise of a channel that never converts.
            when removed.conversion_probability >= baseline.conversion_probability then 0
            when baseline.conversion_probability > 0
                then 1 - removed.conversion_probability / baseline.conversion_probability
        end as removal_effect,
        case
            when removed.unabsorbed_probability > baseline.unabsorbed_probability
                then removed.unabsorbed_probability
            else baseline.unabsorbed_probability
        end as unabsorbed_probability
    from absorbed as removed
    cross join baseline
    where removed.removed_channel != '(none)'

),

final as (

    select
        channel,
        conversion_probability,
        conversion_probability_without_channel,
        removal_effect,
        case
            when sum(removal_effect) over () > 0
                then removal_effect / sum(removal_effect) over ()
        end as removal_effect_share,
        unabsorbed_probability
    from effects

)

select * from final
