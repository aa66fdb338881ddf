{#
    The combination of `combination_of_columns` is unique (the project's own
    version of dbt_utils' test: the package hub is not reachable here).
    One row per combination that is on more than one row, with how many. The
    implementations are in macros/data_tests.sql (DuckDB's is faster).
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
    {{ return(adapter.dispatch('test_unique_combination_of_columns')(model, combination_of_columns)) }}
{% endtest %}
