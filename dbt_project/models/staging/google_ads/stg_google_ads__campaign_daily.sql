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
        {{ lineage_columns() }}
    from landed

)

select * from final
