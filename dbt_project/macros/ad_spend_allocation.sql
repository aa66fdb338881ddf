-- noqa: disable=LT02
{#-
    allocate_cents_by_group_ctes: the allocation of allocate_cents (macros/money.sql: integer cents,
    rounded half away from zero, the remainder to the largest weight, ties to the lowest tiebreak; a
    group whose weights sum to 0 splits equally) computed with two GROUP BYs and two joins on the
    group instead of window functions. Why a second form: int_ad_spend_allocated splits ~3 M
    candidate lines at 1 M order lines, and there allocate_cents' three window passes (each sorting
    every partition) were most of the model's time; hash aggregation over the group keys does the
    same in one pass each (same rows, proved on the 1 M set). Preconditions: the partition columns
    are never null (a join, unlike a window partition, does not match null keys) and each group has
    one `amount`.
    `positive_groups_only`: allocate only the groups whose weights sum above 0 (the lines of the other
    groups are left out, as a `where` on a windowed group weight before allocate_cents would).
    Renders four CTEs to place in a model's WITH list (`{{ allocate_cents_by_group_ctes(...) }},`):
    `<name>_group_totals` (one row per group allocated), `<name>_shares`, `<name>_remainders` and
    `<name>`: the candidates' columns plus `out`.
-#}
{% macro allocate_cents_by_group_ctes(
    name, relation, partition_by, amount, weight, tiebreak, out, positive_groups_only=false
) -%}
    {%- set partition = partition_by | join(', ') -%}
    {{ name }}_group_totals as (

        select
            {{ partition }},
            sum({{ weight }}) as _group_weight,
            max({{ weight }}) as _group_max_weight,
            count(*) as _group_rows
        from {{ relation }}
        group by {{ partition }}
        {%- if positive_groups_only %}
            having sum({{ weight }}) > 0
        {%- endif %}

    ),

    {{ name }}_shares as (

        select
            {{ relation }}.*,
            -- A group whose weights sum to 0 splits equally (every line weighs 1), as allocate_cents does.
            case
                when {{ name }}_group_totals._group_weight = 0 then 1
                else {{ relation }}.{{ weight }}
            end as _{{ out }}_weight,
            case
                when {{ name }}_group_totals._group_weight = 0 then 1
                else {{ name }}_group_totals._group_max_weight
            end as _{{ out }}_max_weight,
            {{ div_round(
                'cast(' ~ relation ~ '.' ~ amount ~ ' as bigint) * case when ' ~ name ~ '_group_totals._group_weight = 0'
                ~ ' then 1 else ' ~ relation ~ '.' ~ weight ~ ' end',
                'case when ' ~ name ~ '_group_totals._group_weight = 0 then ' ~ name ~ '_group_totals._group_rows'
                ~ ' else ' ~ name ~ '_group_totals._group_weight end'
            ) }} as _{{ out }}_share
        from {{ relation }}
        inner join {{ name }}_group_totals
            on
            {%- for column in partition_by %}
                {{ 'and ' if not loop.first }}{{ relation }}.{{ column }} = {{ name }}_group_totals.{{ column }}
            {%- endfor %}

    ),

    {{ name }}_remainders as (

        select
            {{ partition }},
            sum(_{{ out }}_share) as _{{ out }}_share_sum,
            -- The line that takes the rounding remainder: the largest weight, ties to the lowest tiebreak.
            min(case when _{{ out }}_weight = _{{ out }}_max_weight then {{ tiebreak }} end) as _{{ out }}_remainder_key
        from {{ name }}_shares
        group by {{ partition }}

    ),

    {{ name }} as (

        select
            {{ name }}_shares.*,
            {{ name }}_shares._{{ out }}_share
            + case
                when {{ name }}_shares.{{ tiebreak }} = {{ name }}_remainders._{{ out }}_remainder_key
                    then {{ name }}_shares.{{ amount }} - {{ name }}_remainders._{{ out }}_share_sum
                else 0
            end as {{ out }}
        from {{ name }}_shares
        inner join {{ name }}_remainders
            on
            {%- for column in partition_by %}
                {{ 'and ' if not loop.first }}{{ name }}_shares.{{ column }} = {{ name }}_remainders.{{ column }}
            {%- endfor %}

    )
{%- endmacro %}
