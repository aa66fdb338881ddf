with

landed as (

    {{ landed_latest_rows(source('brand', 'touchpoints')) }}

),

final as (

    select
        occurred_at,
        {{ customer_key('customer_email') }} as customer_key,
        landing_url,
        referrer_url,
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
