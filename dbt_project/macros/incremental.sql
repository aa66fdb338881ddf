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
    (orders, settlements, ...) that landed rows its last build did not see as they are now can change. A
    model names its landed inputs once, as `changed_by`: a list of [relation, key column] pairs (the key
    column holds the model's `unique_key` values), and stores `_landed_through`, the latest `_ingested_at`
    of the visible rows it was built from (`landed_through`). The keys to recompute are those of
    - rows delivered after that watermark (an ingest stamps each file's delivery time as it starts on it
      and publishes its manifest before the next file, so a file the last build did not see is later than
      every file it saw; two ingests into one lake at once could break that order: the orchestration runs
      them one at a time, in the concurrency pool of its lake writers and builds), and
    - rows of files not visible now: retracted, re-parsed under a newer parser version, or not yet
      published (a handful, recomputed until they change no more).
    `ingest --reprocess` re-lands files under their first delivery time: build with --full-refresh after it.
    The model recomputes those keys from ALL their visible versions (staging's latest-wins and API-over-CSV
    precedence still decide) and delete+inserts them; `delete_vanished_landed_keys` drops keys that no
    visible row holds any more. Renders a SELECT of one column, `changed_key`.
-#}
{% macro landed_changed_keys(changed_by) -%}
    {%- for relation, key in changed_by %}
        select changed_rows.{{ key }} as changed_key
        from {{ relation }} as changed_rows
        left join {{ source('lake', 'manifests') }} as manifests
            on
                changed_rows._source_sha256 = manifests.sha256
                and changed_rows._parser_version = manifests.parser_version
                and manifests.status in ('landed', 'partial')
        where
            manifests.sha256 is null
            or changed_rows._ingested_at > (select max(built._landed_through) from {{ this }} as built)
        {{ 'union' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#-
    The watermark an incremental build stores in `_landed_through`: the latest `_ingested_at` of the visible
    rows of `changed_by` (see landed_changed_keys). A SELECT of one row, for a scalar subquery.
-#}
{% macro landed_through(changed_by) -%}
    select max(visible_rows._ingested_at) as landed_through
    from (
        {%- for relation, key in changed_by %}
            select max(landed_rows._ingested_at) as _ingested_at
            from {{ relation }} as landed_rows
            inner join {{ source('lake', 'manifests') }} as manifests
                on
                    landed_rows._source_sha256 = manifests.sha256
                    and landed_rows._parser_version = manifests.parser_version
                    and manifests.status in ('landed', 'partial')
            {{ 'union all' if not loop.last }}
        {%- endfor %}
    ) as visible_rows
{%- endmacro %}

{#-
    A post-hook for an affected-keys model: delete the stored rows of keys that only files no longer visible
    held (a retracted delivery was an order's only source). `grain`: the [relation, key column] pair whose
    rows make a key exist (an order's order rows). Renders nothing on a full build.
-#}
{% macro delete_vanished_landed_keys(grain, unique_key) -%}
    {%- if is_incremental() -%}
        {%- set relation, key = grain -%}
        delete from {{ this }}
        where {{ unique_key }} in (
            select hidden_rows.{{ key }}
            from {{ relation }} as hidden_rows
            left join {{ source('lake', 'manifests') }} as manifests
                on
                    hidden_rows._source_sha256 = manifests.sha256
                    and hidden_rows._parser_version = manifests.parser_version
                    and manifests.status in ('landed', 'partial')
            where manifests.sha256 is null
            except
            select visible_rows.{{ key }}
            from {{ relation }} as visible_rows
            inner join {{ source('lake', 'manifests') }} as manifests
                on
                    visible_rows._source_sha256 = manifests.sha256
                    and visible_rows._parser_version = manifests.parser_version
                    and manifests.status in ('landed', 'partial')
        )
    {%- endif -%}
{%- endmacro %}
