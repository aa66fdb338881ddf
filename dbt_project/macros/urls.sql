{#-
    Portable landing-URL parsing (no regular expressions, no arrays): split_part,
    position, substring and replace only, so the same SQL runs on DuckDB,
    PostgreSQL and Redshift.
-#}

{#- The URL with every '?' turned into '&', so `&name=` finds a parameter anywhere (the `[?&]name=` rule). -#}
{% macro url_params_text(url) -%}
    replace({{ url }}, '?', '&')
{%- endmacro %}

{#- True when the URL carries the parameter `name` (even with an empty value). -#}
{% macro url_has_param(url, name) -%}
    ({{ dbt.position("'&" ~ name ~ "='", url_params_text(url)) }} > 0)
{%- endmacro %}

{#- Decodes '+' and %20 as spaces and the few escapes campaign names use. -#}
{% macro url_decode(value) -%}
    replace(replace(replace(replace(replace(replace(replace(
        {{ value }},
        '+', ' '), '%20', ' '), '%2B', '+'), '%26', '&'), '%2F', '/'), '%3D', '='), '%25', '%')
{%- endmacro %}

{#-
    The first value of query parameter `name` as written (not decoded, may be empty); null when absent.
    Decode it with url_param_value: a model with many URLs but few distinct values (utm_*) decodes each
    distinct value once (int_touchpoints_parsed): the chain of replaces is most of the parsing cost.
-#}
{% macro url_query_param_raw(url, name) -%}
    {%- set params = url_params_text(url) -%}
    {%- set needle = "'&" ~ name ~ "='" -%}
    {%- set found = dbt.position(needle, params) -%}
    case
        when {{ found }} > 0
            then {{ dbt.split_part(
                dbt.split_part(
                    'substring(' ~ params ~ ', ' ~ found ~ ' + ' ~ (name | length + 2) ~ ')',
                    "'&'", 1
                ),
                "'#'", 1
            ) }}
    end
{%- endmacro %}

{#-
    A raw parameter value (url_query_param_raw) decoded; null when absent or empty. Every escape
    url_decode replaces holds a '+' or a '%', so a value with neither is already decoded (click ids).
-#}
{% macro url_param_value(raw_value) -%}
    nullif(
        case
            when {{ dbt.position("'%'", raw_value) }} > 0 or {{ dbt.position("'+'", raw_value) }} > 0
                then {{ url_decode(raw_value) }}
            else {{ raw_value }}
        end,
        ''
    )
{%- endmacro %}

{#- Path and query of a landing URL: a leading http(s)://host is removed; a bare path is kept as is. -#}
{% macro url_path_query(url) -%}
    case
        when substring({{ url }}, 1, 7) = 'http://' or substring({{ url }}, 1, 8) = 'https://'
            then case
                when {{ dbt.position("'/'", 'substring(' ~ url ~ ', ' ~ dbt.position("'://'", url) ~ ' + 3)') }} > 0
                    then substring(
                        substring({{ url }}, {{ dbt.position("'://'", url) }} + 3),
                        {{ dbt.position("'/'", 'substring(' ~ url ~ ', ' ~ dbt.position("'://'", url) ~ ' + 3)') }}
                    )
                else ''
            end
        else {{ url }}
    end
{%- endmacro %}
