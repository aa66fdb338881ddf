{#
    The lineage columns of a staging model (macro `lineage_columns`) are what lineage and re-runs rely on:
    every row names its file, checksum, format (one of `source_formats`) and ingest time, and its record
    key is present and unique (one row per record after `landed_latest_rows`). One test per model in one
    pass over it, instead of seven column tests each re-reading the model; each failing row says which
    column is wrong.

    A scheduled build checks what rows landed since the previous build can break (macro `data_test_rows`):
    their own columns, and the uniqueness of their record keys over every row holding those keys (a new
    version kept beside an old one fails here).
#}
{% test lineage_columns_valid(model, source_formats) %}
    with

    checked_rows as (

        {{ data_test_rows(model) }}

    ),

    checked_keys as (

        {{ data_test_rows(model, '_record_key') }}

    )

    select
        _record_key,
        failure_message
    from (
        select
            _record_key,
            case
                when _record_key is null then '_record_key is null'
                when _source_file is null then '_source_file is null'
                when _source_sha256 is null then '_source_sha256 is null'
                when _source_format is null then '_source_format is null'
                when _source_format not in ('{{ source_formats | join("', '") }}')
                    then '_source_format ' || _source_format || ' is not one of {{ source_formats | join(", ") }}'
                when _ingested_at is null then '_ingested_at is null'
            end as failure_message
        from checked_rows
    ) as row_checks
    where failure_message is not null

    union all

    select
        _record_key,
        '_record_key ' || _record_key || ' is on '
        || cast(count(*) as {{ dbt.type_string() }}) || ' rows' as failure_message
    from checked_keys
    where _record_key is not null
    group by _record_key
    having count(*) > 1
{% endtest %}
