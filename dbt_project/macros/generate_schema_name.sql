{#
    Custom schemas (`staging`, `intermediate`, `marts`, `reference`) keep their plain names by default and
    always on `prod`, so reports and dashboards address `marts.*` on every target.
    On any other target, DBT_SCHEMA isolates a developer: it becomes the target's schema and prefixes every
    custom schema, so two analysts on one dev warehouse do not overwrite each other
    (DBT_SCHEMA=alice or alice_ builds alice_staging, alice_intermediate, alice_marts, alice_reference).
    COMMERCE_MARTS_SCHEMA_SUFFIX (set only by warehouse/publish.py during a PostgreSQL or Redshift build)
    stages the marts in `marts__building` until the build has passed, then the schemas are swapped.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set prefix = schema_prefix() -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif (custom_schema_name | trim) == 'marts' -%}
        {#- A staged build on a server writes the marts beside the live ones (warehouse/publish.py). -#}
        {{ prefix ~ 'marts' ~ env_var('COMMERCE_MARTS_SCHEMA_SUFFIX', '') }}
    {%- else -%}
        {{ prefix ~ (custom_schema_name | trim) }}
    {%- endif -%}
{%- endmacro %}

{#- The developer prefix of custom schemas: '' on prod and when DBT_SCHEMA is unset. -#}
{% macro schema_prefix() -%}
    {%- set developer = env_var('DBT_SCHEMA', '') | trim -%}
    {%- if target.name == 'prod' or developer == '' -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(developer if developer.endswith('_') else developer ~ '_') }}
{%- endmacro %}
