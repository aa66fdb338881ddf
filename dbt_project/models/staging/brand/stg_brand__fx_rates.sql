with

landed as (

    {{ landed_latest_rows(source('brand', 'fx_rates'), snapshot_formats=['brand_fx_rates']) }}

),

final as (

    select
        date,
        currency,
        rate,
        pivot_currency,
        business_date,
        _source_file,
        _source_sha256,
        _source_row,
        _source_format,
        _ingested_at,
        _parser_version,
        _record_key,
        _record_version
    from landed

)

select * from final
