{#-
    Campaign x day performance under every attribution model (docs/metrics.md rules
    50-54). Grain: one row per (attribution_model, platform, campaign_id,
    activity_date) where the campaign spent or was credited with an order; every
    model has the spend rows, so filter on attribution_model (the default is var
    attribution_model) before summing.
      - spend: the ad report's spend of the day (Amazon Ads: summed over
        advertised SKUs), in its currency (`spend_source`) and converted
        (`spend`); `allocated_spend` is the part order lines carry,
        `unallocated_spend` the rest (on fct_daily_costs as unallocated_ad_spend).
      - attributed: Google Ads / Meta: the lines of orders with a credited touch
        on this campaign and day (brand time zone) under the model, on channels
        whose `channels` seed attribution_rule is `web_touches` (the Shopify store),
        each line weighted by the order's credit on that campaign-day;
        other platforms (Amazon Ads, a channel statement's ad fees): the lines
        that carry the campaign's spend (channels whose attribution_rule is not
        `web_touches`), weight 1. Counts (orders, lines, units) count a credited
        order whole; `attributed_conversions` is the sum of the credits (fractional
        orders); money is credit x the line's amount, rounded to cents per row.
      - attributed_contribution_margin_2: credit x the lines' CM2
        (fct_financial_performance); attributed_contribution_margin_3 = that - spend
        (the campaign-day's whole spend, allocated or not: what the campaign earned
        after paying for itself).
      - roas = attributed_net_sales / spend (null without spend; macro kpi_roas).
    Credited touches whose campaign cannot be identified (no or unknown
    utm_campaign, no click_view row for the gclid) are not in the attributed
    counts (their platform still appears in int_attribution_credits), but
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

attribution_credits as (

    select * from {{ ref('int_attribution_credits') }}

),

financial_performance as (

    select * from {{ ref('fct_financial_performance') }}

),

attribution_models as (
    {%- for model_name in attribution_models() %}
        {% if not loop.first %}union all{% endif %}
        select '{{ model_name }}' as attribution_model
    {%- endfor %}

),

-- An order's credit per model on each campaign and touch day (several touches can share one).
attribution as (

    select
        attribution_model,
        order_id,
        platform,
        campaign_id,
        touch_date,
        -- Credits are floats (shares such as 1/3); as fixed-point decimals their sums and the money they
        -- weight are exact, so the cents do not depend on the order the engine sums rows in.
        sum(cast(credit as numeric(28, 12))) as credit
    from attribution_credits
    where campaign_id is not null
    group by attribution_model, order_id, platform, campaign_id, touch_date

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
        attribution_models.attribution_model,
        ad_spend_daily.platform,
        ad_spend_daily.campaign_id,
        ad_spend_daily.spend_date as activity_date,
        max(source_currency) as source_currency,
        sum(spend_source_cents) as spend_source_cents,
        sum(spend_cents) as spend_cents,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from ad_spend_daily
    cross join attribution_models
    group by attribution_models.attribution_model, ad_spend_daily.platform, ad_spend_daily.campaign_id, ad_spend_daily.spend_date

),

allocated_daily as (

    select
        attribution_model,
        platform,
        campaign_id,
        spend_date as activity_date,
        sum(amount_source_cents) as allocated_spend_source_cents,
        sum(amount_cents) as allocated_spend_cents
    from allocated
    group by attribution_model, platform, campaign_id, spend_date

),

-- The web lines' amounts summed per order once (not per model and touch): an order's credit on a
-- campaign-day weights all its lines alike, so credit x the order's sum is the sum of credit x each line
-- (exact: credits are fixed-point decimals).
web_orders as (

    select
        order_lines.order_id,
        count(*) as order_lines,
        sum(order_lines.units) as units,
        sum(order_lines.net_sales_cents) as net_sales_cents,
        sum({{ to_cents('financial_performance.contribution_margin_2') }}) as contribution_margin_2_cents
    from order_lines
    inner join channels
        on
            order_lines.channel = channels.channel
            and channels.attribution_rule = 'web_touches'
    left join financial_performance
        on order_lines.order_line_id = financial_performance.order_line_id
    group by order_lines.order_id

),

-- `attribution` has one row (one credit) per model, order and campaign-day: one order each.
web_attributed_daily as (

    select
        attribution.attribution_model,
        attribution.platform,
        attribution.campaign_id,
        attribution.touch_date as activity_date,
        count(*) as attributed_orders,
        sum(web_orders.order_lines) as attributed_order_lines,
        sum(web_orders.units) as attributed_units,
        sum(attribution.credit) as attributed_conversions,
        sum(attribution.credit * web_orders.net_sales_cents) as attributed_net_sales_cents,
        sum(attribution.credit * web_orders.contribution_margin_2_cents) as attributed_contribution_margin_2_cents
    from attribution
    inner join web_orders
        on attribution.order_id = web_orders.order_id
    group by attribution.attribution_model, attribution.platform, attribution.campaign_id, attribution.touch_date

),

-- Lines of other channels carry the spend placed on them, credit 1. No distinct needed:
-- int_ad_spend_allocated has one row per model x line x campaign x day (its test).
placed_attributed_daily as (

    select
        allocated.attribution_model,
        allocated.platform,
        allocated.campaign_id,
        allocated.spend_date as activity_date,
        count(distinct order_lines.order_id) as attributed_orders,
        count(*) as attributed_order_lines,
        sum(order_lines.units) as attributed_units,
        cast(count(distinct order_lines.order_id) as numeric(28, 12)) as attributed_conversions,
        sum(order_lines.net_sales_cents) as attributed_net_sales_cents,
        sum({{ to_cents('financial_performance.contribution_margin_2') }}) as attributed_contribution_margin_2_cents
    from allocated
    inner join order_lines
        on allocated.order_line_id = order_lines.order_line_id
    inner join channels
        on
            order_lines.channel = channels.channel
            and channels.attribution_rule != 'web_touches'
    left join financial_performance
        on allocated.order_line_id = financial_performance.order_line_id
    group by allocated.attribution_model, allocated.platform, allocated.campaign_id, allocated.spend_date

),

-- A campaign-day can have both (an `amazon` utm_source touch credits a web order to an Amazon Ads
-- campaign); an order is in one of them only, as its lines are of one channel.
attributed_daily as (

    select
        attribution_model,
        platform,
        campaign_id,
        activity_date,
        cast(sum(attributed_orders) as bigint) as attributed_orders,
        cast(sum(attributed_order_lines) as bigint) as attributed_order_lines,
        sum(attributed_units) as attributed_units,
        sum(attributed_conversions) as attributed_conversions,
        cast(round(sum(attributed_net_sales_cents)) as bigint) as attributed_net_sales_cents,
        cast(round(sum(attributed_contribution_margin_2_cents)) as bigint) as attributed_contribution_margin_2_cents
    from (
        select * from web_attributed_daily
        union all
        select * from placed_attributed_daily
    ) as attributed_by_path
    group by attribution_model, platform, campaign_id, activity_date

),

campaign_days as (

    select
        attribution_model,
        platform,
        campaign_id,
        activity_date
    from spend
    union
    select
        attribution_model,
        platform,
        campaign_id,
        activity_date
    from attributed_daily

),

joined as (

    select
        campaign_days.attribution_model,
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
        coalesce(attributed_daily.attributed_conversions, 0) as attributed_conversions,
        coalesce(attributed_daily.attributed_net_sales_cents, 0) as attributed_net_sales_cents,
        coalesce(attributed_daily.attributed_contribution_margin_2_cents, 0) as attributed_contribution_margin_2_cents
    from campaign_days
    left join campaigns
        on
            campaign_days.platform = campaigns.platform
            and campaign_days.campaign_id = campaigns.campaign_id
    left join spend
        on
            campaign_days.attribution_model = spend.attribution_model
            and campaign_days.platform = spend.platform
            and campaign_days.campaign_id = spend.campaign_id
            and campaign_days.activity_date = spend.activity_date
    left join allocated_daily
        on
            campaign_days.attribution_model = allocated_daily.attribution_model
            and campaign_days.platform = allocated_daily.platform
            and campaign_days.campaign_id = allocated_daily.campaign_id
            and campaign_days.activity_date = allocated_daily.activity_date
    left join attributed_daily
        on
            campaign_days.attribution_model = attributed_daily.attribution_model
            and campaign_days.platform = attributed_daily.platform
            and campaign_days.campaign_id = attributed_daily.campaign_id
            and campaign_days.activity_date = attributed_daily.activity_date

),

final as (

    select
        attribution_model,
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
        cast(attributed_conversions as numeric(18, 6)) as attributed_conversions,
        {{ from_cents('attributed_net_sales_cents') }} as attributed_net_sales,
        {{ from_cents('attributed_contribution_margin_2_cents') }} as attributed_contribution_margin_2,
        {{ from_cents('attributed_contribution_margin_2_cents - spend_cents') }} as attributed_contribution_margin_3,
        {{ kpi_roas('attributed_net_sales_cents', 'spend_cents') }} as roas
    from joined

)

select * from final
