with

landed as (

    {{ landed_latest_rows(source('brand', 'products'), snapshot_formats=['brand_products']) }}

),

final as (

    select
        sku,
        product_name,
        category,
        vendor,
        weight_kg,
        size_tier,
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
