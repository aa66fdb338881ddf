{#- The generic data tests' shared parts (tests/generic/ calls them). -#}

{#-
    The rows a per-row or per-key data test checks. A full build checks every row. A scheduled (incremental)
    build sets COMMERCE_DATA_TESTS_LANDED_AFTER (warehouse/data_test_scope.py: the latest `_ingested_at` the
    previous, successful build saw; read only while tests execute, as a var that changes at each build would
    make dbt re-parse the project): its SQL is the one that build tested, so only the rows written since can
    break a per-row or per-key invariant. Those are the rows later than it (or null) in
    - `_landed_through` of an incremental model (the watermark of the build that wrote the row,
      macros/incremental.sql), or
    - `_ingested_at` of a staging model (one landed row each).
    Elsewhere a row may carry an input's old `_ingested_at` and still be new (a new order credited to an old
    touch), so any other model is checked whole. With `key`, every row of a key such a row has (a duplicate
    of an old row fails too; rows with a null key are always kept). Renders a SELECT.
-#}
{% macro data_test_rows(model, key=none) -%}
    {%- set landed_after = env_var('COMMERCE_DATA_TESTS_LANDED_AFTER', '') if execute else '' -%}
    {%- set markers = [] -%}
    {%- if landed_after -%}
        {%- set names = adapter.get_columns_in_relation(model) | map(attribute='name') | map('lower') | list -%}
        {%- for node in graph.nodes.values() if node.resource_type == 'model'
            and (node.alias or node.name) == model.identifier and node.schema == model.schema -%}
            {%- if node.config.materialized == 'incremental' and '_landed_through' in names -%}
                {%- do markers.append('_landed_through') -%}
            {%- elif 'staging' in node.fqn and '_ingested_at' in names -%}
                {%- do markers.append('_ingested_at') -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set marker = markers[0] if markers else none -%}
    {%- if marker is none -%}
        select * from {{ model }}
    {%- elif key is none -%}
        select * from {{ model }}
        where {{ marker }} > '{{ landed_after }}' or {{ marker }} is null
    {%- else -%}
        select * from {{ model }}
        where {{ key }} is null or {{ key }} in (
            select new_rows.{{ key }} from {{ model }} as new_rows
            where new_rows.{{ marker }} > '{{ landed_after }}' or new_rows.{{ marker }} is null
        )
    {%- endif -%}
{%- endmacro %}


{% macro default__test_unique_combination_of_columns(model, combination_of_columns) %}
select
    {{ combination_of_columns | join(', ') }},
    count(*) as n_rows
from ({{ data_test_rows(model, combination_of_columns[0]) }}) as checked_rows
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

checked_rows as (

    {{ data_test_rows(model, combination_of_columns[0]) }}

),

repeated_hashes as (

    select hash({{ columns }}) as combination_hash
    from checked_rows
    group by 1
    having count(*) > 1

)

select
    {{ columns }},
    count(*) as n_rows
from checked_rows
where hash({{ columns }}) in (select repeated_hashes.combination_hash from repeated_hashes)
group by {{ columns }}
having count(*) > 1
{% endmacro %}
