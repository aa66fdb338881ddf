with

landed as (

    {{ landed_latest_rows(source('brand', 'sku_asin_map'), snapshot_formats=['brand_sku_asin_map']) }}

),

final as (

    select
        sku,
        asin,
        marketplace,
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
