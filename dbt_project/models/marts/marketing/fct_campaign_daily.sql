{#-
    Campaign x day performance under the default last-click model.
    Grain: one row per (platform, campaign_id, activity_date) where the campaign
    spent or was credited with an order.
      - spend: the ad report's spend of the day (Amazon Ads: summed over
        advertised SKUs), in its currency (`spend_source`) and converted
        (`spend`); `allocated_spend` is the part order lines carry,
        `unallocated_spend` the rest (on fct_daily_costs as unallocated_ad_spend).
      - attributed: Google Ads / Meta: the lines of orders whose credited
        last-click touch is on this campaign and day (brand time zone), on channels
        whose `channels` seed attribution_rule is `web_touches` (the Shopify store);
        other platforms (Amazon Ads, a channel statement's ad fees): the lines
        that carry the campaign's spend (channels whose attribution_rule is not
        `web_touches`).
      - roas = attributed_net_sales / spend (null without spend; macro kpi_roas).
    Credited touches whose campaign cannot be identified (no or unknown
    utm_campaign, no click_view row for the gclid) are not in the attributed
    counts (their platform still appears in int_attribution_last_click), but
    their lines can carry a campaign-day's spend no campaign-matched line
    carried (docs/metrics.md rule 42): that share is in `allocated_spend`.
-#}

with

ad_spend_daily as (

    select * from {{ ref('int_ad_spend_daily') }}

),

campaigns as (

    select * from {{ ref('int_ad_campaigns_unioned') }}

),

attribution as (

    select * from {{ ref('int_attribution_last_click') }}

),

allocated as (

    select * from {{ ref('int_ad_spend_allocated') }}

),

order_lines as (

    select * from {{ ref('int_order_lines') }}

),

channels as (

    select * from {{ ref('channels') }}

),

spend as (

    select
        platform,
        campaign_id,
        spend_date as activity_date,
        max(source_currency) as source_currency,
        sum(spend_source_cents) as spend_source_cents,
        sum(spend_cents) as spend_cents,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from ad_spend_daily
    group by platform, campaign_id, spend_date

),

allocated_daily as (

    select
        platform,
        campaign_id,
        spend_date as activity_date,
        sum(amount_source_cents) as allocated_spend_source_cents,
        sum(amount_cents) as allocated_spend_cents
    from allocated
    group by platform, campaign_id, spend_date

),

web_attributed_lines as (

    select
        attribution.platform,
        attribution.campaign_id,
        attribution.touch_date as activity_date,
        order_lines.order_id,
        order_lines.order_line_id,
        order_lines.units,
        order_lines.net_sales_cents
    from attribution
    inner join order_lines
        on attribution.order_id = order_lines.order_id
    inner join channels
        on
            order_lines.channel = channels.channel
            and channels.attribution_rule = 'web_touches'
    where attribution.campaign_id is not null

),

placed_attributed_lines as (

    select distinct
        allocated.platform,
        allocated.campaign_id,
        allocated.spend_date as activity_date,
        order_lines.order_id,
        order_lines.order_line_id,
        order_lines.units,
        order_lines.net_sales_cents
    from allocated
    inner join order_lines
        on allocated.order_line_id = order_lines.order_line_id
    inner join channels
        on
            order_lines.channel = channels.channel
            and channels.attribution_rule != 'web_touches'

),

attributed_lines as (

    select * from web_attributed_lines
    union all
    select * from placed_attributed_lines

),

attributed_daily as (

    select
        platform,
        campaign_id,
        activity_date,
        count(distinct order_id) as attributed_orders,
        count(*) as attributed_order_lines,
        sum(units) as attributed_units,
        sum(net_sales_cents) as attributed_net_sales_cents
    from attributed_lines
    group by platform, campaign_id, activity_date

),

campaign_days as (

    select
        platform,
        campaign_id,
        activity_date
    from spend
    union
    select
        platform,
        campaign_id,
        activity_date
    from attributed_daily

),

joined as (

    select
        campaign_days.platform,
        campaign_days.campaign_id,
        campaign_days.activity_date,
        campaigns.campaign_name,
        campaigns.campaign_type,
        coalesce(spend.source_currency, campaigns.source_currency) as source_currency,
        coalesce(spend.spend_source_cents, 0) as spend_source_cents,
        coalesce(spend.spend_cents, 0) as spend_cents,
        coalesce(allocated_daily.allocated_spend_cents, 0) as allocated_spend_cents,
        cast(coalesce(spend.impressions, 0) as bigint) as impressions,
        cast(coalesce(spend.clicks, 0) as bigint) as clicks,
        coalesce(attributed_daily.attributed_orders, 0) as attributed_orders,
        coalesce(attributed_daily.attributed_order_lines, 0) as attributed_order_lines,
        cast(coalesce(attributed_daily.attributed_units, 0) as bigint) as attributed_units,
        coalesce(attributed_daily.attributed_net_sales_cents, 0) as attributed_net_sales_cents
    from campaign_days
    left join campaigns
        on
            campaign_days.platform = campaigns.platform
            and campaign_days.campaign_id = campaigns.campaign_id
    left join spend
        on
            campaign_days.platform = spend.platform
            and campaign_days.campaign_id = spend.campaign_id
            and campaign_days.activity_date = spend.activity_date
    left join allocated_daily
        on
            campaign_days.platform = allocated_daily.platform
            and campaign_days.campaign_id = allocated_daily.campaign_id
            and campaign_days.activity_date = allocated_daily.activity_date
    left join attributed_daily
        on
            campaign_days.platform = attributed_daily.platform
            and campaign_days.campaign_id = attributed_daily.campaign_id
            and campaign_days.activity_date = attributed_daily.activity_date

),

final as (

    select
        {{ dbt.concat(['platform', "':'", 'campaign_id']) }} as ad_campaign_key,
        platform,
        campaign_id,
        campaign_name,
        campaign_type,
        activity_date,
        source_currency,
        '{{ var("reporting_currency") }}' as reporting_currency,
        {{ from_cents('spend_source_cents') }} as spend_source,
        {{ from_cents('spend_cents') }} as spend,
        {{ from_cents('allocated_spend_cents') }} as allocated_spend,
        {{ from_cents('spend_cents - allocated_spend_cents') }} as unallocated_spend,
        impressions,
        clicks,
        attributed_orders,
        attributed_order_lines,
        attributed_units,
        {{ from_cents('attributed_net_sales_cents') }} as attributed_net_sales,
        {{ kpi_roas('attributed_net_sales_cents', 'spend_cents') }} as roas
    from joined

)

select * from final
