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
    - `prefer_format` wins over any version (the Shopify API over the CSV export);
    - with `only_keys`, a pair [key column, relation of `changed_key`s], only the rows of those keys
      (an affected-keys increment, macros/incremental.sql). Every version of a record must share the key
      column's value (an order's, a settlement's), so the ranking among a key's rows is the full build's.
      The filter applies to the landed relation itself, before the manifests join: after it, DuckDB built
      its semi-join hash table on every visible row (8 s for no changed settlement at 1M lines). Not with
      `snapshot_formats`, whose latest delivery is the entity's, not a key's.
    Returns a SELECT for an import CTE. Without `dedupe` it ranks nothing: a window over every version of
    every row only to keep them all was most of stg_amazon__settlement_lines' time (README "Performance").
-#}
{% macro landed_latest_rows(relation, prefer_format=none, dedupe=true, snapshot_formats=[], only_keys=none) -%}
    {%- if not dedupe -%}
        {{ return(landed_visible_rows(relation, snapshot_formats, only_keys)) }}
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
            {{ landed_visible_rows(relation, snapshot_formats, only_keys) }}
        ) as visible_rows
    ) as landed_rows
    where landed_rows._record_rank = 1
{%- endmacro %}

{#- Rows of visible files; of a snapshot format only those of its latest delivery; of `only_keys` if given. -#}
{% macro landed_visible_rows(relation, snapshot_formats=[], only_keys=none) -%}
    {%- if snapshot_formats and only_keys -%}
        {{ exceptions.raise_compiler_error("landed_visible_rows: only_keys cannot filter a snapshot format") }}
    {%- endif -%}
    {%- if only_keys -%}
        {%- set scanned -%}
            (
                select keyed_rows.*
                from {{ relation }} as keyed_rows
                where keyed_rows.{{ only_keys[0] }} in (
                    select changed_keys.changed_key from {{ only_keys[1] }} as changed_keys
                )
            )
        {%- endset -%}
    {%- else -%}
        {%- set scanned = relation -%}
    {%- endif %}
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
        from {{ scanned }} as manifest_rows
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
