{#- The data tests' adapter-specific implementations (tests/generic/ calls them through adapter.dispatch). -#}

{% macro default__test_unique_combination_of_columns(model, combination_of_columns) %}
select
    {{ combination_of_columns | join(', ') }},
    count(*) as n_rows
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endmacro %}

{#
    DuckDB: grouping millions of rows by several text columns is the costly part (int_ad_spend_allocated,
    fct_attribution_credits: about half the time). Group by one 64-bit hash of the combination first; only the
    rows whose hash is on several rows (duplicates, or a rare hash collision) are then grouped by the columns
    themselves, so the result is exactly the default's. Same rows out, half the time at a million order lines
    (README "Where the full build's time goes").
#}
{% macro duckdb__test_unique_combination_of_columns(model, combination_of_columns) %}
{%- set columns = combination_of_columns | join(', ') -%}
with

repeated_hashes as (

    select hash({{ columns }}) as combination_hash
    from {{ model }}
    group by 1
    having count(*) > 1

)

select
    {{ columns }},
    count(*) as n_rows
from {{ model }}
where hash({{ columns }}) in (select repeated_hashes.combination_hash from repeated_hashes)
group by {{ columns }}
having count(*) > 1
{% endmacro %}
