with

landed as (

    {{ landed_latest_rows(source('google_ads', 'campaign_daily')) }}

),

final as (

    select
        date,
        campaign_id,
        campaign_name,
        currency,
        impressions,
        clicks,
        cost,
        cost_micros,
        conversions,
        conversions_value,
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
