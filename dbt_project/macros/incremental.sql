-- noqa: disable=LT02
{#-
    Helpers for incremental models that re-process whole orders (fct_financial_performance).
-#}

{#- True when two values differ, nulls compared as values (a portable IS DISTINCT FROM, which Redshift lacks). -#}
{% macro values_differ(left, right) -%}
    not coalesce({{ left }} = {{ right }} or ({{ left }} is null and {{ right }} is null), false)
{%- endmacro %}

{#-
    A post-hook for an order-line incremental model using delete+insert on the order: delete+insert
    only replaces the orders that still have lines in the new batch, so an order whose every line
    vanished upstream (an Amazon order cancelled after it was first reported) would linger. This drops
    the stored lines the upstream relation no longer has. Renders nothing on a full build.
-#}
{% macro delete_vanished_order_lines(upstream, key='order_line_id') -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ key }} not in (
            select {{ key }} from {{ upstream }}
            where {{ key }} is not null
        )
    {%- endif -%}
{%- endmacro %}

{#-
    Affected keys (README "The warehouse"): an incremental model over landed rows recomputes only the keys
    (orders, settlements, ...) that rows its last build did not see can change. A model names its landed
    inputs once, as `changed_by`: a list of [relation, key column] pairs (the key column holds the model's
    `unique_key` values); it stores `_landed_through`, the latest `_ingested_at` of the visible rows it was
    built from (`landed_through`), and on each row the `_source_sha256` of the delivery the row came from.
    The keys to recompute are those of
    - rows delivered after that watermark (`landed_changed_keys`): an ingest stamps each file's delivery
      time as it starts on it and publishes its manifest before the next file, so a file the last build did
      not see is later than every file it saw (two ingests into one lake at once could break that order:
      the orchestration runs them one at a time, in the concurrency pool of its lake writers and builds);
    - stored rows whose delivery is no longer visible (`hidden_source_keys`): retracted, so an older
      delivery of the key may win again. PostgreSQL's landed tables hold visible rows only, so this looks
      at what the model stored, not at the landed rows.
    `ingest --reprocess` re-lands files under their first delivery time: build with --full-refresh after it.
    The model recomputes those keys from ALL their visible versions (staging's latest-wins and API-over-CSV
    precedence still decide) and delete+inserts them; `delete_hidden_source_rows` (a post-hook) then drops
    the rows of keys no visible delivery holds any more. Renders a SELECT of one column, `changed_key`.
-#}
{% macro landed_changed_keys(changed_by) -%}
    {%- for relation, key in changed_by %}
        select changed_rows.{{ key }} as changed_key
        from {{ relation }} as changed_rows
        where changed_rows._ingested_at > (select max(built._landed_through) from {{ this }} as built)
        {{ 'union' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- The stored keys whose rows came from a delivery that is not visible now (see landed_changed_keys). -#}
{% macro hidden_source_keys(unique_key) -%}
    select built.{{ unique_key }} as changed_key
    from {{ this }} as built
    where built._source_sha256 not in (
        select manifests.sha256
        from {{ source('lake', 'manifests') }} as manifests
        where manifests.status in ('landed', 'partial')
    )
{%- endmacro %}

{#-
    The keys an affected-keys model recomputes (see landed_changed_keys): those of rows landed after its
    watermark and those of stored rows whose delivery is no longer visible. A SELECT of `changed_key`; a model
    with another reason to recompute a key adds it with its own `union`.
-#}
{% macro affected_keys(changed_by, unique_key) -%}
    {{ landed_changed_keys(changed_by) }}
    union
    {{ hidden_source_keys(unique_key) }}
{%- endmacro %}

{#-
    The watermark an incremental build stores in `_landed_through`: the latest `_ingested_at` of the visible
    rows of `changed_by` (see landed_changed_keys). A SELECT of one row, for a scalar subquery. It takes each
    delivery's latest row before joining the manifests: fewer rows to join, and a plan unlike the staging
    models' own scan of the same relation joined to the manifests, which DuckDB would otherwise materialise
    whole (every column) as a common subplan to share between the two (12 s of a 1 s settlements increment).
-#}
{% macro landed_through(changed_by) -%}
    select max(visible_deliveries._ingested_at) as landed_through
    from (
        {%- for relation, key in changed_by %}
            select
                deliveries._source_sha256,
                deliveries._parser_version,
                max(deliveries._ingested_at) as _ingested_at
            from {{ relation }} as deliveries
            group by deliveries._source_sha256, deliveries._parser_version
            {{ 'union all' if not loop.last }}
        {%- endfor %}
    ) as visible_deliveries
    inner join {{ source('lake', 'manifests') }} as manifests
        on
            visible_deliveries._source_sha256 = manifests.sha256
            and visible_deliveries._parser_version = manifests.parser_version
            and manifests.status in ('landed', 'partial')
{%- endmacro %}

{#-
    A post-hook for an affected-keys model: after the recomputed keys were rewritten, rows still from a
    delivery that is not visible now are of keys no visible delivery holds any more (a retracted export
    was an order's only source). Renders nothing on a full build.
-#}
{% macro delete_hidden_source_rows() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where _source_sha256 not in (
            select manifests.sha256
            from {{ source('lake', 'manifests') }} as manifests
            where manifests.status in ('landed', 'partial')
        )
    {%- endif -%}
{%- endmacro %}
