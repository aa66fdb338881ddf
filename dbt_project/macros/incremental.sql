{#-
    Helpers for incremental models that re-process whole orders (fct_financial_performance).
-#}

{#- True when two values differ, nulls compared as values (a portable IS DISTINCT FROM, which Redshift lacks). -#}
{% macro values_differ(left, right) -%}
    not coalesce({{ left }} = {{ right }} or ({{ left }} is null and {{ right }} is null), false)
{%- endmacro %}

{#-
    A post-hook for an order-line incremental model using delete+insert on the order: delete+insert
    only replaces the orders that still have lines in the new batch, so an order whose every line
    vanished upstream (an Amazon order cancelled after it was first reported) would linger. This drops
    the stored lines the upstream relation no longer has. Renders nothing on a full build.
-#}
{% macro delete_vanished_order_lines(upstream, key='order_line_id') -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ key }} not in (
            select {{ key }} from {{ upstream }}
            where {{ key }} is not null
        )
    {%- endif -%}
{%- endmacro %}
