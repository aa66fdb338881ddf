with

landed as (

    {{ landed_latest_rows(source('amazon_ads', 'advertised_product_daily')) }}

),

final as (

    select
        date,
        campaign_id,
        campaign_name,
        ad_group_id,
        ad_group_name,
        advertised_sku,
        advertised_asin,
        impressions,
        clicks,
        cost,
        purchases_7d,
        sales_7d,
        currency,
        business_date,
        {{ lineage_columns() }}
    from landed

)

select * from final
