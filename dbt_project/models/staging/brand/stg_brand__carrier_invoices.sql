with

landed as (

    {{ landed_latest_rows(source('brand', 'carrier_invoices')) }}

),

final as (

    select
        tracking_number,
        order_reference,
        ship_date,
        service,
        weight_kg,
        cost,
        currency,
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
