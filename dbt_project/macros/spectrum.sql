-- noqa: disable=LT02
{#-
    Redshift Spectrum sources: the `landed` external schema over the lake's S3 prefixes.

        dbt run-operation create_spectrum_sources --target prod
        dbt run-operation create_spectrum_sources --target prod --args '{dry_run: true}'

    Creates (idempotently) the external schema `landed` from the Glue database GLUE_DATABASE with the
    role REDSHIFT_SPECTRUM_ROLE_ARN, one external table `<source>__<entity>` per registry entity over
    `<lake>/landed/<source>/<entity>/` (Parquet; Spectrum reads the business_month=... subfolders and
    skips the `_empty.parquet` placeholders), and `lake_manifests` over `_manifests/<source>/`
    (pretty-printed JSON, read with the Ion SerDe, one partition per source folder so the delivery
    log and the sha256 pointers stay out). Columns come from `landed_columns()`, generated from
    ingestion/registry.py. The lake var must be the s3:// URL (COMMERCE_LAKE).
    External tables are dropped and recreated, so a registry change is picked up; the data stays in S3.
-#}
{% macro create_spectrum_sources(dry_run=false) %}
    {%- set lake = var('lake', env_var('COMMERCE_LAKE', '')) | trim -%}
    {%- if not dry_run and not lake.startswith('s3://') -%}
        {{ exceptions.raise_compiler_error("create_spectrum_sources: the lake var (COMMERCE_LAKE) must be an s3:// URL, not '" ~ lake ~ "'") }}
    {%- endif -%}
    {%- set statements = spectrum_sources_sql(lake.rstrip('/')) -%}
    {%- for statement in statements -%}
        {%- if dry_run -%}
            {{ log(statement ~ ';', info=true) }}
        {%- else -%}
            {%- do run_query(statement) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ log('spectrum: ' ~ (statements | length) ~ ' statements ' ~ ('printed' if dry_run else 'run') ~ ' for schema landed over ' ~ lake, info=true) }}
{% endmacro %}


{% macro spectrum_sources_sql(lake, schema='landed') %}
    {%- set glue_database = env_var('GLUE_DATABASE', 'commerce_lake') -%}
    {%- set role_arn = env_var('REDSHIFT_SPECTRUM_ROLE_ARN', 'arn:aws:iam::000000000000:role/spectrum') -%}
    {%- set statements = [] -%}
    {%- do statements.append(
        "create external schema if not exists " ~ schema
        ~ " from data catalog database '" ~ glue_database ~ "'"
        ~ " iam_role '" ~ role_arn ~ "'"
        ~ " create external database if not exists"
    ) -%}
    {%- for table, spec in landed_columns().items() -%}
        {%- set columns = [] -%}
        {%- for column in spec['columns'] -%}
            {%- do columns.append('"' ~ column[0] ~ '" ' ~ column[1]) -%}
        {%- endfor -%}
        {%- do statements.append("drop table if exists " ~ schema ~ "." ~ table) -%}
        {%- if spec['partitions'] -%}
            {%- do statements.append(
                "create external table " ~ schema ~ "." ~ table ~ " (" ~ columns | join(', ') ~ ")"
                ~ " partitioned by (manifest_folder varchar(64))"
                ~ " row format serde 'com.amazon.ionhiveserde.IonHiveSerDe'"
                ~ " stored as inputformat 'com.amazon.ionhiveserde.formats.IonInputFormat'"
                ~ " outputformat 'com.amazon.ionhiveserde.formats.IonOutputFormat'"
                ~ " location '" ~ lake ~ "/" ~ spec['prefix'] ~ "'"
            ) -%}
            {%- for partition in spec['partitions'] -%}
                {%- do statements.append(
                    "alter table " ~ schema ~ "." ~ table
                    ~ " add if not exists partition (manifest_folder='" ~ partition.rstrip('/').split('/')[-1] ~ "')"
                    ~ " location '" ~ lake ~ "/" ~ partition ~ "'"
                ) -%}
            {%- endfor -%}
        {%- else -%}
            {%- do statements.append(
                "create external table " ~ schema ~ "." ~ table ~ " (" ~ columns | join(', ') ~ ")"
                ~ " stored as parquet"
                ~ " location '" ~ lake ~ "/" ~ spec['prefix'] ~ "'"
            ) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements) }}
{% endmacro %}
