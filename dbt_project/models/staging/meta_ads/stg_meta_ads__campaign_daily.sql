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
        {{ lineage_columns() }}
    from landed

)

select * from final
