with

landed as (

    {{ landed_latest_rows(source('brand', 'cogs'), snapshot_formats=['brand_cogs']) }}

),

final as (

    select
        sku,
        effective_from,
        unit_cost,
        currency,
        inbound_freight_per_unit,
        duty_per_unit,
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
