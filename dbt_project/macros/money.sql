{#-
    Integer-cent arithmetic (metrics.md principle 4). Money is summed, split and
    converted in bigint cents so every allocation adds up exactly, on DuckDB,
    PostgreSQL and Redshift alike; only the marts turn cents back into numeric(18,2).
-#}

{% macro to_cents(amount) -%}
    cast(round(cast({{ amount }} as numeric(18, 2)) * 100, 0) as bigint)
{%- endmacro %}

{% macro from_cents(cents) -%}
    cast(cast({{ cents }} as numeric(20, 0)) / 100 as numeric(18, 2))
{%- endmacro %}

{#- Integer division of non-negative integers (truncating). -#}
{% macro int_div(numerator, denominator) -%}
    {{ return(adapter.dispatch('int_div', 'commerce_analytics')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__int_div(numerator, denominator) -%}
    (cast({{ numerator }} as bigint) / cast({{ denominator }} as bigint))
{%- endmacro %}

{% macro duckdb__int_div(numerator, denominator) -%}
    (cast({{ numerator }} as bigint) // cast({{ denominator }} as bigint))
{%- endmacro %}

{#- numerator / denominator rounded half away from zero; integers, denominator > 0. -#}
{% macro div_round(numerator, denominator) -%}
    (case
        when ({{ numerator }}) < 0
            then -{{ int_div('2 * (-(' ~ numerator ~ ')) + (' ~ denominator ~ ')', '2 * (' ~ denominator ~ ')') }}
        else {{ int_div('2 * (' ~ numerator ~ ') + (' ~ denominator ~ ')', '2 * (' ~ denominator ~ ')') }}
    end)
{%- endmacro %}

{#- Source cents x rate (reporting-currency micro-units per source unit) -> reporting cents. -#}
{% macro convert_cents(amount_cents, rate_e6) -%}
    {{ div_round('cast(' ~ amount_cents ~ ' as bigint) * cast(' ~ rate_e6 ~ ' as bigint)', '1000000') }}
{%- endmacro %}

{#-
    A complete SELECT over `relation` (a CTE name) returning all its columns plus
    integer column `out`: `amount` (cents, the same on every row of a partition)
    split over the partition's rows by the integer `weight`, each share rounded
    half away from zero, the rounding remainder on the row with the largest
    weight (ties: lowest `tiebreak`), so the rows always sum to `amount`.
    A partition whose weights are all zero shares equally.
    Two window passes over the partition, not three: the weight total (the effective weights' total is the
    row count when the weights sum to zero) comes with the zero test in the first, so each share is a plain
    expression and the second pass ranks the rows and sums the shares together. Each pass sorts the rows by
    partition, and this macro runs on every order line several times (about a third of its cost saved).
-#}
{% macro allocate_cents(relation, partition_by, amount, weight, tiebreak, out) -%}
    {%- set partition = partition_by | join(', ') -%}
    select
        {{ out }}_ranked.*,
        {{ out }}_ranked._{{ out }}_share
        + case
            when {{ out }}_ranked._{{ out }}_rank = 1
                then {{ out }}_ranked.{{ amount }} - {{ out }}_ranked._{{ out }}_share_total
            else 0
        end as {{ out }}
    from (
        select
            {{ out }}_shared.*,
            sum({{ out }}_shared._{{ out }}_share) over (partition by {{ partition }}) as _{{ out }}_share_total,
            row_number() over (
                partition by {{ partition }}
                order by {{ out }}_shared._{{ out }}_weight desc, {{ out }}_shared.{{ tiebreak }}
            ) as _{{ out }}_rank
        from (
            select
                {{ out }}_weighted.*,
                {{ div_round(
                    'cast(' ~ out ~ '_weighted.' ~ amount ~ ' as bigint) * ' ~ out ~ '_weighted._' ~ out ~ '_weight',
                    out ~ '_weighted._' ~ out ~ '_weight_total'
                ) }} as _{{ out }}_share
            from (
                select
                    {{ relation }}.*,
                    cast(case
                        when sum({{ weight }}) over (partition by {{ partition }}) = 0 then 1
                        else {{ weight }}
                    end as bigint) as _{{ out }}_weight,
                    case
                        when sum({{ weight }}) over (partition by {{ partition }}) = 0
                            then count(*) over (partition by {{ partition }})
                        else sum(cast({{ weight }} as bigint)) over (partition by {{ partition }})
                    end as _{{ out }}_weight_total
                from {{ relation }}
            ) as {{ out }}_weighted
        ) as {{ out }}_shared
    ) as {{ out }}_ranked
{%- endmacro %}
