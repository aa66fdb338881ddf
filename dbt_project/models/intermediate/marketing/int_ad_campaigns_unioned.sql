{#-
    One row per ad campaign any ad report shows (Google Ads, Meta, Amazon Ads):
    its latest name, its type, its currency and the days it spent. The lookup
    touchpoints match `utm_campaign` against (campaign id, or the name
    case-insensitively), and the base of dim_ad_campaign.
    The reports carry no campaign type, so it is derived: Amazon Ads campaigns
    take their report's ad product (`SPONSORED_PRODUCTS`, `SPONSORED_BRANDS`,
    `SPONSORED_DISPLAY`); Google campaigns by their naming
    convention (Search / Shopping / PMax / Display / Video prefix); otherwise null.
-#}

with

ad_spend_daily as (

    select * from {{ ref('int_ad_spend_daily') }}

),

campaign_days as (

    select
        platform,
        campaign_id,
        campaign_name,
        ad_product,
        spend_date,
        source_currency,
        spend_source_cents,
        row_number() over (
            partition by platform, campaign_id
            order by case when campaign_name is null then 1 else 0 end, spend_date desc, campaign_name asc
        ) as name_rank
    from ad_spend_daily

),

campaigns as (

    select
        platform,
        campaign_id,
        max(case when name_rank = 1 then campaign_name end) as campaign_name,
        max(ad_product) as ad_product,
        max(source_currency) as source_currency,
        min(spend_date) as first_spend_date,
        max(spend_date) as last_spend_date,
        sum(spend_source_cents) as spend_source_cents
    from campaign_days
    group by platform, campaign_id

),

final as (

    select
        platform,
        campaign_id,
        campaign_name,
        case
            when platform = 'amazon_ads' then coalesce(ad_product, 'SPONSORED_PRODUCTS')
            when platform = 'google_ads' and lower(campaign_name) like 'search%' then 'SEARCH'
            when platform = 'google_ads' and lower(campaign_name) like 'shopping%' then 'SHOPPING'
            when platform = 'google_ads' and lower(campaign_name) like 'pmax%' then 'PERFORMANCE_MAX'
            when platform = 'google_ads' and lower(campaign_name) like 'display%' then 'DISPLAY'
            when platform = 'google_ads' and lower(campaign_name) like 'video%' then 'VIDEO'
        end as campaign_type,
        lower(campaign_name) as campaign_name_key,
        source_currency,
        first_spend_date,
        last_spend_date,
        spend_source_cents
    from campaigns

)

select * from final
