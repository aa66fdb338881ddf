{#
    Marts live in schema `marts` on every target (not `<target schema>_marts`),
    so reports and dashboards address the same name in DuckDB, PostgreSQL and Redshift.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
