{#-
    Customer identity (metrics.md "Unified customer"): customers match across
    sources on a salted SHA-256 of the trimmed, lower-cased email. The salt comes
    from the `customer_hash_salt` var (default: env var COMMERCE_CUSTOMER_HASH_SALT),
    never from git. Only the hex digest leaves the intermediate layer.
-#}

{% macro sha256_hex(expression) -%}
    {{ return(adapter.dispatch('sha256_hex', 'commerce_analytics')(expression)) }}
{%- endmacro %}

{% macro default__sha256_hex(expression) -%}
    encode(sha256(convert_to({{ expression }}, 'UTF8')), 'hex')
{%- endmacro %}

{% macro duckdb__sha256_hex(expression) -%}
    sha256({{ expression }})
{%- endmacro %}

{% macro redshift__sha256_hex(expression) -%}
    sha2({{ expression }}, 256)
{%- endmacro %}

{#- The salt as a SQL string literal (quotes escaped). -#}
{% macro customer_hash_salt() -%}
    {%- set salt = var('customer_hash_salt', env_var('COMMERCE_CUSTOMER_HASH_SALT', '')) -%}
    '{{ salt | string | replace("'", "''") }}'
{%- endmacro %}

{#- Trimmed, lower-cased email; null when empty. -#}
{% macro normalised_email(email) -%}
    nullif(lower(trim({{ email }})), '')
{%- endmacro %}

{#- The unified customer key: hex SHA-256 of salt || normalised email, null without an email. -#}
{% macro customer_key(email) -%}
    case
        when {{ normalised_email(email) }} is not null
            then {{ sha256_hex(dbt.concat([customer_hash_salt(), normalised_email(email)])) }}
    end
{%- endmacro %}
