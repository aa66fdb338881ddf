{#-
    Every visible marketing touch of a Shopify customer, one row per visit
    (metrics.md "Attribution", docs/metrics.md rule 13):
      - the `landing_site` of each Shopify API order, as a touch at the order's own
        creation time (the visit that led to the order; the CSV export has none);
      - each row of the brand's touchpoint export, at its own timestamp.
    Touches belong to the unified customer (staging's salted hash of the
    trimmed, lower-cased email: no raw email reaches the warehouse).
    An export row with the same path and query as a landing site, for the same
    customer, in the 30 minutes up to that landing site's time is that visit and
    is dropped (the landing site stands for it).
    Parsing: utm_source / utm_medium / utm_campaign / gclid / fbclid are the first
    `?name=` or `&name=` value ('+' and %20 decoded as spaces), null when empty.
    Ad platform: gclid -> google_ads, fbclid -> meta_ads, else the lower-cased
    utm_source through seed `utm_source_map`; none = direct / organic.
    Campaign: `utm_campaign` equal to a campaign id of that platform in the ad
    reports, else equal to a campaign name case-insensitively, else, for a
    Google touch (auto-tagging: a gclid without a usable utm_campaign), the
    campaign of its gclid in the Google Ads click_view export (docs/metrics.md
    rule 41).
-#}
{%- set same_visit_minutes = 30 -%}

with

shopify_orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

touchpoints as (

    select * from {{ ref('stg_brand__touchpoints') }}

),

utm_source_map as (

    select * from {{ ref('utm_source_map') }}

),

ad_campaigns as (

    select * from {{ ref('int_ad_campaigns_unioned') }}

),

google_click_view as (

    select * from {{ ref('stg_google_ads__click_view') }}

),

landing_sites as (

    select
        customer_key,
        'shopify_landing_site' as touch_source,
        order_name as order_id,
        created_at as touch_occurred_at,
        landing_site as landing_url,
        {{ url_path_query('landing_site') }} as landing_path_query
    from shopify_orders
    where
        order_source = 'shopify_api'
        and landing_site is not null
        and customer_key is not null

),

-- Exact repeats of a visit (the same customer, time and URL) count once.
exported as (

    select distinct
        customer_key,
        'touchpoint_export' as touch_source,
        cast(null as {{ dbt.type_string() }}) as order_id,
        occurred_at as touch_occurred_at,
        landing_url,
        {{ url_path_query('landing_url') }} as landing_path_query
    from touchpoints
    where
        customer_key is not null
        and landing_url is not null

),

same_visits as (

    select distinct
        exported.customer_key,
        exported.touch_occurred_at,
        exported.landing_url
    from exported
    inner join landing_sites
        on
            exported.customer_key = landing_sites.customer_key
            and exported.landing_path_query = landing_sites.landing_path_query
            and exported.touch_occurred_at <= landing_sites.touch_occurred_at
            and exported.touch_occurred_at
            >= {{ dbt.dateadd('minute', -same_visit_minutes, 'landing_sites.touch_occurred_at') }}

),

touches as (

    select landing_sites.*
    from landing_sites

    union all

    select exported.*
    from exported
    left join same_visits
        on
            exported.customer_key = same_visits.customer_key
            and exported.touch_occurred_at = same_visits.touch_occurred_at
            and exported.landing_url = same_visits.landing_url
    where same_visits.customer_key is null

),

parameters as (

    select
        customer_key,
        touch_source,
        order_id,
        touch_occurred_at,
        landing_url,
        landing_path_query,
        {{ url_query_param_raw('landing_url', 'utm_source') }} as raw_utm_source,
        {{ url_query_param_raw('landing_url', 'utm_medium') }} as raw_utm_medium,
        {{ url_query_param_raw('landing_url', 'utm_campaign') }} as raw_utm_campaign,
        {{ url_query_param_raw('landing_url', 'gclid') }} as raw_gclid,
        {{ url_query_param_raw('landing_url', 'fbclid') }} as raw_fbclid,
        {{ url_has_param('landing_url', 'gclid') }} as has_gclid,
        {{ url_has_param('landing_url', 'fbclid') }} as has_fbclid
    from touches

),

-- The utm values repeat (a few sources, mediums and campaigns): each distinct one is decoded once.
utm_values as (

    select
        raw_value,
        {{ url_param_value('raw_value') }} as decoded_value
    from (
        select raw_utm_source as raw_value from parameters
        union
        select raw_utm_medium as raw_value from parameters
        union
        select raw_utm_campaign as raw_value from parameters
    ) as raw_values
    where raw_value is not null

),

parsed as (

    select
        parameters.customer_key,
        parameters.touch_source,
        parameters.order_id,
        parameters.touch_occurred_at,
        parameters.landing_url,
        parameters.landing_path_query,
        utm_sources.decoded_value as utm_source,
        utm_mediums.decoded_value as utm_medium,
        utm_campaigns.decoded_value as utm_campaign,
        {{ url_param_value('parameters.raw_gclid') }} as gclid,
        {{ url_param_value('parameters.raw_fbclid') }} as fbclid,
        parameters.has_gclid,
        parameters.has_fbclid
    from parameters
    left join utm_values as utm_sources
        on parameters.raw_utm_source = utm_sources.raw_value
    left join utm_values as utm_mediums
        on parameters.raw_utm_medium = utm_mediums.raw_value
    left join utm_values as utm_campaigns
        on parameters.raw_utm_campaign = utm_campaigns.raw_value

),

with_platform as (

    select
        parsed.*,
        case
            when parsed.has_gclid then 'google_ads'
            when parsed.has_fbclid then 'meta_ads'
            else utm_source_map.ad_platform
        end as ad_platform
    from parsed
    left join utm_source_map
        on lower(parsed.utm_source) = utm_source_map.utm_source

),

campaign_names as (

    select
        platform,
        campaign_name_key,
        min(campaign_id) as campaign_id
    from ad_campaigns
    where campaign_name_key is not null
    group by platform, campaign_name_key

),

with_campaign as (

    select
        with_platform.*,
        coalesce(
            campaigns_by_id.campaign_id,
            campaign_names.campaign_id,
            case when with_platform.ad_platform = 'google_ads' then google_click_view.campaign_id end
        ) as campaign_id
    from with_platform
    left join ad_campaigns as campaigns_by_id
        on
            with_platform.ad_platform = campaigns_by_id.platform
            and with_platform.utm_campaign = campaigns_by_id.campaign_id
    left join campaign_names
        on
            with_platform.ad_platform = campaign_names.platform
            and lower(with_platform.utm_campaign) = campaign_names.campaign_name_key
    left join google_click_view
        on with_platform.gclid = google_click_view.gclid

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'customer_key', "'|'", 'touch_source', "'|'",
            dbt.cast('touch_occurred_at', dbt.type_string()), "'|'", 'landing_url'
        ])) }} as touchpoint_id,
        customer_key,
        touch_source,
        touch_source = 'shopify_landing_site' as is_landing_site,
        order_id,
        touch_occurred_at,
        {{ to_brand_date('touch_occurred_at') }} as touch_date,
        landing_url,
        landing_path_query,
        utm_source,
        utm_medium,
        utm_campaign,
        gclid,
        fbclid,
        ad_platform,
        campaign_id,
        ad_platform is null as is_direct
    from with_campaign

)

select * from final
