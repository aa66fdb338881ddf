with

landed as (

    {{ landed_latest_rows(source('amazon_ads', 'sponsored_brands_display_daily')) }}

),

final as (

    select
        date,
        ad_product,
        campaign_id,
        campaign_name,
        ad_group_id,
        ad_group_name,
        advertised_sku,
        advertised_asin,
        impressions,
        clicks,
        cost,
        purchases,
        sales,
        currency,
        business_date,
        {{ lineage_columns() }}
    from landed

)

select * from final
