-- noqa: disable=LT02
{#- (sqlfluff misreads the indentation of the jinja loops in the select list) -#}
{#
    None of `columns` is null: dbt's `not_null` for several columns of one model in one pass over it
    (a `not_null` per column re-scans the model once per column and costs a dbt node each). One row
    per column that has nulls, with how many. A scheduled build checks the rows written since the previous
    build (macro `data_test_rows`).
#}
{% test not_null_columns(model, columns) %}
with

null_counts as (

    select
        {%- for column in columns %}
            count(*) - count({{ adapter.quote(column) }}) as null_rows_{{ loop.index }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from ({{ data_test_rows(model) }}) as checked_rows

),

column_nulls as (

    {%- for column in columns %}
        select
            '{{ column }}' as column_name,
            null_rows_{{ loop.index }} as null_rows
        from null_counts
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

)

select
    column_name,
    null_rows,
    column_name || ' is null on ' || cast(null_rows as {{ dbt.type_string() }}) || ' rows' as failure_message
from column_nulls
where null_rows > 0
{% endtest %}
