{#-
    Date helpers (owner: sales). Every business date of the warehouse is a
    calendar date in the brand's time zone (dbt var `brand_timezone`), except
    where a source defines its own (ad platforms report in the account's time
    zone); Amazon settlement amounts are dated by their posted time in the brand's time zone.
-#}

{#-
    to_brand_date(ts): a `timestamp with time zone` -> the calendar date in
    var('brand_timezone') (or in `tz` when given).
-#}
{% macro to_brand_date(ts, tz=none) -%}
    {{ return(adapter.dispatch('to_brand_date', 'commerce_analytics')(ts, tz or var('brand_timezone'))) }}
{%- endmacro %}

{% macro default__to_brand_date(ts, tz) -%}
    cast(({{ ts }}) at time zone '{{ tz }}' as date)
{%- endmacro %}

{% macro duckdb__to_brand_date(ts, tz) -%}
    cast(timezone('{{ tz }}', {{ ts }}) as date)
{%- endmacro %}

{% macro redshift__to_brand_date(ts, tz) -%}
    cast(convert_timezone('{{ tz }}', {{ ts }}) as date)
{%- endmacro %}

{#- to_utc_date(ts): a `timestamp with time zone` -> its UTC calendar date. -#}
{% macro to_utc_date(ts) -%}
    {{ to_brand_date(ts, 'UTC') }}
{%- endmacro %}

{#-
    add_days(date_expr, days_expr): a date plus an integer number of days, as a date
    (dbt.dateadd returns a timestamp on some adapters).
-#}
{% macro add_days(date_expr, days_expr) -%}
    cast({{ dbt.dateadd('day', days_expr, date_expr) }} as date)
{%- endmacro %}

{#- days_between(start_date, end_date): whole days from start to end (end - start). -#}
{% macro days_between(start_date, end_date) -%}
    {{ dbt.datediff(start_date, end_date, 'day') }}
{%- endmacro %}

{#-
    day_offsets(max_days): a SELECT of one integer column `day_offset` = 0 .. 9999
    (cross join of digits: portable, no generate_series), cut at `max_days` - 1 when
    given. Use as a CTE body and add the offsets to a start date with add_days().
-#}
{% macro day_offsets(max_days=none) -%}
    {%- set digits -%}
        (select 0 as digit union all select 1 union all select 2 union all select 3 union all select 4 union all select 5 union all select 6 union all select 7 union all select 8 union all select 9)
    {%- endset %}
    select thousands.digit * 1000 + hundreds.digit * 100 + tens.digit * 10 + ones.digit as day_offset
    from {{ digits }} as ones
    cross join {{ digits }} as tens
    cross join {{ digits }} as hundreds
    cross join {{ digits }} as thousands
    {%- if max_days is not none %}
    where thousands.digit * 1000 + hundreds.digit * 100 + tens.digit * 10 + ones.digit < {{ max_days }}
    {%- endif %}
{%- endmacro %}
