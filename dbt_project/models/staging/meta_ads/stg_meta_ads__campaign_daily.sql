with

landed as (

    {{ landed_latest_rows(source('meta_ads', 'campaign_daily')) }}

),

final as (

    select
        date,
        account_id,
        campaign_id,
        campaign_name,
        adset_id,
        adset_name,
        ad_id,
        currency,
        impressions,
        clicks,
        spend,
        purchases,
        purchase_value,
        purchase_action_type,
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
