{#-
    One row per ad campaign of Google Ads, Meta and Amazon Ads (the campaigns
    the ad reports show), keyed by `ad_campaign_key` = '<platform>:<campaign id>'
    (campaign ids are only unique within a platform).
-#}

with

campaigns as (

    select * from {{ ref('int_ad_campaigns_unioned') }}

),

final as (

    select
        {{ dbt.concat(['platform', "':'", 'campaign_id']) }} as ad_campaign_key,
        platform,
        campaign_id,
        campaign_name,
        campaign_type,
        source_currency,
        first_spend_date,
        last_spend_date
    from campaigns

)

select * from final
