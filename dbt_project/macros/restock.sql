{#-
    service_level_z(service_level): the standard normal quantile z of a cycle service level (the share of
    replenishment cycles without a stock-out), for the restock safety stock (docs/metrics.md, "Inventory and
    restock"). SQL has no portable inverse normal function, so the usual service levels are tabulated here
    (six decimals); another value stops the build with what to do.
-#}
{% macro service_level_z(service_level) -%}
    {%- set z_by_level = {
        0.5: 0.0, 0.8: 0.841621, 0.85: 1.036433, 0.9: 1.281552, 0.95: 1.644854, 0.96: 1.750686,
        0.97: 1.880794, 0.975: 1.959964, 0.98: 2.053749, 0.99: 2.326348, 0.995: 2.575829, 0.999: 3.090232
    } -%}
    {%- set level = service_level | float -%}
    {%- if level not in z_by_level -%}
        {{ exceptions.raise_compiler_error(
            "dbt var restock_service_level = " ~ service_level ~ " is not one of the tabulated service levels "
            ~ (z_by_level.keys() | sort | join(', ')) ~ "; set one of them (macros/restock.sql)"
        ) }}
    {%- endif -%}
    {{ z_by_level[level] }}
{%- endmacro %}
