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

{#- The first value of query parameter `name`, decoded; null when absent or empty. -#}
{% macro url_query_param(url, name) -%}
    {%- set params = url_params_text(url) -%}
    {%- set needle = "'&" ~ name ~ "='" -%}
    {%- set found = dbt.position(needle, params) -%}
    case
        when {{ found }} > 0
            then nullif({{ url_decode(
                dbt.split_part(
                    dbt.split_part(
                        'substring(' ~ params ~ ', ' ~ found ~ ' + ' ~ (name | length + 2) ~ ')',
                        "'&'", 1
                    ),
                    "'#'", 1
                )
            ) }}, '')
    end
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
