{#-
    The rows of a landed entity that staging may use (README "Bringing your own exports":
    manifests and lineage columns):
    - only files whose manifest is visible (status landed or partial, same
      parser version as the rows), so half-written or superseded files never count;
    - one row per `_record_key`, the latest `_record_version` winning (ties: the
      later ingest, then the file and row order), unless `dedupe` is false;
    - `prefer_format` wins over any version (the Shopify API over the CSV export).
    Returns a SELECT for an import CTE.
-#}
{% macro landed_latest_rows(relation, prefer_format=none, dedupe=true) -%}
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
        from {{ relation }} as visible_rows
        inner join {{ source('lake', 'manifests') }} as manifests
            on
                visible_rows._source_sha256 = manifests.sha256
                and visible_rows._parser_version = manifests.parser_version
                and manifests.status in ('landed', 'partial')
    ) as landed_rows
    {%- if dedupe %}
    where landed_rows._record_rank = 1
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
