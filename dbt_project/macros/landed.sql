{#-
    The rows of a landed entity that staging may use (README "Bringing your own exports":
    manifests and lineage columns):
    - only files whose manifest is visible (status landed or partial, same
      parser version as the rows), so half-written, superseded or retracted files never count;
    - of a format in `snapshot_formats` (the registry's: each delivery is the
      whole entity), only the latest visible delivery, so a row dropped from a
      corrected file disappears;
    - one row per `_record_key`, the latest `_record_version` winning (ties: the
      later ingest, then the file and row order), unless `dedupe` is false;
    - `prefer_format` wins over any version (the Shopify API over the CSV export).
    Returns a SELECT for an import CTE. Without `dedupe` it ranks nothing: a window over every version of
    every row only to keep them all was most of stg_amazon__settlement_lines' time (README "Performance").
-#}
{% macro landed_latest_rows(relation, prefer_format=none, dedupe=true, snapshot_formats=[]) -%}
    {%- if not dedupe -%}
        {{ return(landed_visible_rows(relation, snapshot_formats)) }}
    {%- endif -%}
    select landed_rows.*
    from (
        select
            visible_rows.*,
            row_number() over (
                partition by visible_rows._record_key
                order by
                    {% if prefer_format %}
                    case when visible_rows._source_format = '{{ prefer_format }}' then 0 else 1 end,
                    {% endif -%}
                    visible_rows._record_version desc,
                    visible_rows._ingested_at desc,
                    visible_rows._source_sha256 desc,
                    visible_rows._source_row desc
            ) as _record_rank
        from (
            {{ landed_visible_rows(relation, snapshot_formats) }}
        ) as visible_rows
    ) as landed_rows
    where landed_rows._record_rank = 1
{%- endmacro %}

{#- Rows of visible files; of a snapshot format only those of its latest delivery. -#}
{% macro landed_visible_rows(relation, snapshot_formats=[]) -%}
    select delivered_rows.*
    from (
        select
            {% if snapshot_formats -%}
                dense_rank() over (
                    partition by manifest_rows._source_format
                    order by manifest_rows._ingested_at desc, manifest_rows._source_sha256 desc
                ) as _delivery_rank,
            {% endif -%}
            manifest_rows.*
        from {{ relation }} as manifest_rows
        inner join {{ source('lake', 'manifests') }} as manifests
            on
                manifest_rows._source_sha256 = manifests.sha256
                and manifest_rows._parser_version = manifests.parser_version
                and manifests.status in ('landed', 'partial')
    ) as delivered_rows
    {%- if snapshot_formats %}
    where
        delivered_rows._delivery_rank = 1
        or delivered_rows._source_format not in ('{{ snapshot_formats | join("', '") }}')
    {%- endif %}
{%- endmacro %}

{#-
    The lineage columns every landed row carries (ingestion/registry.py LINEAGE_SCHEMA), which every staging
    model passes on last, in this order.
-#}
{% macro lineage_columns() -%}
    _source_file,
    _source_sha256,
    _source_row,
    _source_format,
    _ingested_at,
    _parser_version,
    _record_key,
    _record_version
{%- endmacro %}
