{#- The attribution models (metrics.md "Attribution", docs/metrics.md rules 50-54), in report order. -#}
{% macro attribution_models() -%}
    {{ return(['last_click', 'first_click', 'linear', 'time_decay', 'position_based', 'data_driven']) }}
{%- endmacro %}

{#-
    The model the order-line fact, fct_daily_costs and the P&L marts use: var
    `attribution_model` (default last_click). An unknown name fails the build here,
    naming the allowed values, instead of silently allocating no spend.
-#}
{% macro default_attribution_model() -%}
    {%- set name = var('attribution_model', 'last_click') -%}
    {%- if name not in attribution_models() -%}
        {{ exceptions.raise_compiler_error(
            "dbt var attribution_model is '" ~ name ~ "'; set it to one of " ~ attribution_models() | join(', ')
        ) }}
    {%- endif -%}
    {{ return(name) }}
{%- endmacro %}

{#-
    CTEs squaring, `levels` times, the per-scenario transition matrix in CTE `start_cte`
    (columns removed_channel, from_state, to_state, probability): the last one,
    `<prefix>_<levels>`, holds the chain's 2^levels-step transition probabilities.
    Entries at or below 1e-15 are dropped: they are noise, and PostgreSQL raises on
    float underflow. Kept to a few levels per model so that a database that inlines
    CTEs (each level reads the previous one twice) plans at most 2^levels copies.
-#}
{% macro markov_squarings(start_cte, prefix, levels) -%}
    {%- for level in range(1, levels + 1) %}

        {{ prefix }}_{{ level }} as (

            select
                earlier.removed_channel,
                earlier.from_state,
                later.to_state,
                sum(earlier.probability * later.probability) as probability
            from {{ start_cte if loop.first else prefix ~ '_' ~ (level - 1) }} as earlier
            inner join {{ start_cte if loop.first else prefix ~ '_' ~ (level - 1) }} as later
                on
                    earlier.removed_channel = later.removed_channel
                    and earlier.to_state = later.from_state
            group by earlier.removed_channel, earlier.from_state, later.to_state
            having sum(earlier.probability * later.probability) > 1e-15

        ){% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}
