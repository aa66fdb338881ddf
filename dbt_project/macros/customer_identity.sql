{#-
    Customer identity (metrics.md "Unified customer"): customers match across
    sources on a salted SHA-256 of the trimmed, lower-cased email. The salt comes
    from the environment variable COMMERCE_CUSTOMER_HASH_SALT, never from git nor
    from vars (dbt logs vars): production injects it from Secrets Manager, and
    `commerce-analytics build` / `dbt` and Dagster pass a random salt kept in the lake
    (warehouse/customer_salt.py). An unsalted hash of an email can be re-identified
    from an email list, so a run without a salt fails (on-run-start:
    require_customer_hash_salt); parsing needs none. Only the hex digest leaves the
    intermediate layer.
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

{#- The salt's value; empty when unset (parsing, e.g. `dbt parse --target prod`, needs none). -#}
{% macro customer_hash_salt_value() -%}
    {{ return(env_var('COMMERCE_CUSTOMER_HASH_SALT', '') | string) }}
{%- endmacro %}

{#- The salt as a SQL string literal (quotes escaped). -#}
{% macro customer_hash_salt() -%}
    '{{ customer_hash_salt_value() | replace("'", "''") }}'
{%- endmacro %}

{#- on-run-start: stop before any model runs when there is no salt, rather than write unsalted keys. -#}
{% macro require_customer_hash_salt() -%}
    {%- if execute and not customer_hash_salt_value() | trim -%}
        {%- if target.name == 'prod' -%}
            {{ exceptions.raise_compiler_error(
                "COMMERCE_CUSTOMER_HASH_SALT is not set: the prod target needs the customer-hash salt "
                ~ "(Terraform injects it from Secrets Manager into Dagster's run tasks; see docs/deploying-to-aws.md)"
            ) }}
        {%- else -%}
            {{ exceptions.raise_compiler_error(
                "COMMERCE_CUSTOMER_HASH_SALT is not set on target '" ~ target.name ~ "': run dbt through "
                ~ "`commerce-analytics build` or `commerce-analytics dbt -- ...` (they use the lake's own salt) "
                ~ "or set the variable"
            ) }}
        {%- endif -%}
    {%- endif -%}
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
