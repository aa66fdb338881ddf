with

landed as (

    {{ landed_latest_rows(source('amazon', 'settlements')) }}

),

final as (

    select
        settlement_id,
        settlement_start_date,
        settlement_end_date,
        deposit_date,
        total_amount,
        currency,
        marketplace_name,
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
