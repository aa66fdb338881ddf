{#-
    The P&L measures are defined once, in the `pnl_measures` seed: each amount
    with its sign and margin tier, and the subtotals (net_sales,
    contribution_margin_1..3, net_profit) that close the tiers. Models list
    measures and write margins only through these macros, so moving a cost to
    another tier is one seed edit. Python reads the same seed
    (warehouse/pnl_measures.py).
-#}

{#-
    The seed's rows in display order, as dicts (measure, kind, margin_tier,
    sign, grain). Read from the warehouse when dbt executes; the ref makes every
    caller depend on the seed, so `dbt build` loads it first. While dbt parses
    there is no warehouse, and the list is empty. Unit tests override this macro
    with rows of their own (the seed is not in their fixtures).
-#}
{% macro pnl_measure_rows() %}
    {%- set relation = ref('pnl_measures') -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- if load_relation(relation) is none -%}
        {{ exceptions.raise_compiler_error(
            'The pnl_measures seed is not in the warehouse yet (' ~ relation ~ '), and the P&L models read it to'
            ~ ' compile: run `commerce-analytics build` or `dbt seed --select pnl_measures` first.'
        ) }}
    {%- endif -%}
    {%- set query -%}
        select measure, kind, margin_tier, sign, grain from {{ relation }} order by display_order
    {%- endset -%}
    {%- set rows = [] -%}
    {%- for row in run_query(query).rows -%}
        {%- do rows.append({
            'measure': row[0], 'kind': row[1], 'margin_tier': row[2], 'sign': row[3], 'grain': row[4],
        }) -%}
    {%- endfor -%}
    {{ return(rows) }}
{% endmacro %}

{#-
    The measures of `kind` ('amount', 'subtotal', or none for both) at `grain`
    ('order_line': computable from fct_financial_performance; 'day': needs
    fct_daily_costs; none for both), in display order. Each is a dict with
    `measure`, `kind`, `margin_tier`, `sign`, `grain` and, for a subtotal,
    `terms`: the (amount, sign) pairs it adds up. A subtotal's tier is closed by
    itself; it adds the amounts of its tier and of every earlier tier
    (pass-through amounts are in none). A subtotal has grain 'day' when any of
    its amounts has.
-#}
{% macro pnl_measures(kind=none, grain=none) %}
    {%- set rows = pnl_measure_rows() -%}
    {%- set tiers = [] -%}
    {%- for row in rows if row['kind'] == 'subtotal' -%}
        {%- if row['margin_tier'] != row['measure'] -%}
            {{ exceptions.raise_compiler_error(
                'pnl_measures seed: subtotal ' ~ row['measure'] ~ ' must have margin_tier ' ~ row['measure']
            ) }}
        {%- endif -%}
        {%- do tiers.append(row['measure']) -%}
    {%- endfor -%}
    {%- set measures = [] -%}
    {%- for row in rows -%}
        {%- set measure = {
            'measure': row['measure'], 'kind': row['kind'], 'margin_tier': row['margin_tier'],
            'sign': row['sign'], 'grain': row['grain'], 'terms': [],
        } -%}
        {%- if row['kind'] == 'amount' and row['margin_tier'] not in tiers + ['pass_through'] -%}
            {{ exceptions.raise_compiler_error(
                'pnl_measures seed: ' ~ row['measure'] ~ ' has margin_tier ' ~ row['margin_tier']
                ~ ', not one of ' ~ (tiers + ['pass_through']) | join(', ')
            ) }}
        {%- endif -%}
        {%- if row['kind'] == 'subtotal' -%}
            {%- set closed = tiers[:tiers.index(row['measure']) + 1] -%}
            {%- for amount in rows if amount['kind'] == 'amount' and amount['margin_tier'] in closed -%}
                {%- do measure['terms'].append((amount['measure'], amount['sign'] | int)) -%}
                {%- if amount['grain'] == 'day' -%}
                    {%- do measure.update({'grain': 'day'}) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- if measure['grain'] != 'day' -%}
                {%- do measure.update({'grain': 'order_line'}) -%}
            {%- endif -%}
        {%- endif -%}
        {%- if (kind is none or measure['kind'] == kind) and (grain is none or measure['grain'] == grain) -%}
            {%- do measures.append(measure) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(measures) }}
{% endmacro %}

{#- The names of pnl_measures(kind, grain), in display order. -#}
{% macro pnl_measure_names(kind=none, grain=none) %}
    {%- set names = [] -%}
    {%- for measure in pnl_measures(kind, grain) -%}
        {%- do names.append(measure['measure']) -%}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}

{#-
    The SQL expression of a measure from pnl_measures(): an amount's column, or
    a subtotal's amounts with their signs. Every margin in every model comes
    from here. `column` names an amount's column, `{}` standing for the
    measure: '{}' for the columns themselves, '{}_cents' for integer cents,
    '{}_source_cents' for source-currency cents.
-#}
{% macro pnl_expression(measure, column='{}') %}
    {%- if measure['kind'] == 'amount' -%}
        {{ column | replace('{}', measure['measure']) }}
    {%- else -%}
        {%- set terms = [] -%}
        {%- for name, sign in measure['terms'] -%}
            {%- do terms.append(('- ' if sign < 0 else ('+ ' if terms else '')) ~ column | replace('{}', name)) -%}
        {%- endfor -%}
        ({{ terms | join(' ') if terms else '0' }})
    {%- endif -%}
{%- endmacro %}

{#- pnl_expression of the subtotal named `subtotal` (e.g. 'net_sales', 'contribution_margin_2'). -#}
{% macro pnl_subtotal(subtotal, column='{}') %}
    {%- set matches = pnl_measures(kind='subtotal') | selectattr('measure', 'equalto', subtotal) | list -%}
    {%- if matches -%}
        {{ pnl_expression(matches[0], column) }}
    {%- elif execute -%}
        {{ exceptions.raise_compiler_error('pnl_subtotal: ' ~ subtotal ~ ' is no subtotal of the pnl_measures seed') }}
    {%- endif -%}
{%- endmacro %}
