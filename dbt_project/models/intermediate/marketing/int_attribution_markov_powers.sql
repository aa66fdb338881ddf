{#-
    The data-driven model's chain, 32 steps at a time (docs/metrics.md rule 53): for
    each removal scenario ('(none)' and each channel), the probability of going from
    one state to another in 2^5 = 32 steps of int_attribution_markov_transitions.
    In a channel's scenario every arrival in it ends in '(null)' (its row is replaced
    by channel -> (null) = 1); '(conversion)' and '(null)' keep their mass (absorbing).
    The matrix is squared 5 times (T^2, T^4, ... T^32) with plain joins and sums: no
    recursive CTE, no matrix library, so DuckDB, PostgreSQL and Redshift run it alike.
    int_attribution_markov_removal_effects squares it 5 more times (1024 steps).
-#}
{{ config(
    pre_hook="set jit = off" if target.type == 'postgres' else [],
    post_hook="reset jit" if target.type == 'postgres' else []
) }}
{#- PostgreSQL's JIT compiles this tiny query's nested plan for seconds; the data is a few dozen rows. #}

with

transitions as (

    select * from {{ ref('int_attribution_markov_transitions') }}

),

channels as (

    select distinct from_state as channel
    from transitions
    where from_state != '(start)'

),

scenarios as (

    select '(none)' as removed_channel
    union all
    select channel as removed_channel
    from channels

),

absorbing_states as (

    select '(conversion)' as state
    union all
    select '(null)' as state

),

scenario_transitions as (

    select
        scenarios.removed_channel,
        transitions.from_state,
        transitions.to_state,
        transitions.probability
    from scenarios
    inner join transitions
        on scenarios.removed_channel != transitions.from_state

    union all

    select
        removed_channel,
        removed_channel as from_state,
        '(null)' as to_state,
        cast(1 as double precision) as probability
    from scenarios
    where removed_channel != '(none)'

    union all

    select
        scenarios.removed_channel,
        absorbing_states.state as from_state,
        absorbing_states.state as to_state,
        cast(1 as double precision) as probability
    from scenarios
    cross join absorbing_states

),

{{ markov_squarings('scenario_transitions', 'power', 5) }},

final as (

    select
        removed_channel,
        from_state,
        to_state,
        probability
    from power_5

)

select * from final
