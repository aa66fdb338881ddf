{#-
    Ad spend allocated to order lines (metrics.md "Attribution", docs/metrics.md rules 13-14
    and 50-54), under every attribution model.
    Grain: attribution_model x order_line_id x platform x campaign_id x spend_date.
    The default model's rows (var attribution_model) are what the order-line fact,
    fct_daily_costs and the P&L marts carry; fct_campaign_daily shows every model.
      - Google Ads / Meta: a campaign-day's spend goes to the lines of channels
        whose `channels` seed attribution_rule is `web_touches` (the Shopify store)
        of the orders with a credited touch (int_attribution_credits) on that
        campaign and day (brand time zone), in proportion to credit x the line's
        sales after discounts (gross_sales - discounts, reporting currency; contract
        v2: refunds later do not move acquisition cost), the credit being the sum of
        the order's credits on that campaign-day. The weight is credit x cents x
        10000 rounded to an integer (last click's credit 1 keeps the shares exact).
        Lines with zero weight take none; a campaign-day whose candidate
        lines' weights sum to zero or less allocates nothing.
      - Google Ads / Meta campaign-days that no campaign-matched line carried
        (docs/metrics.md rule 42): the whole spend goes, by the same weight, to the
        lines of orders whose credited touch is on that platform and day but on no
        identified campaign; the rows keep the campaign the spend came from.
      - Amazon Ads (Sponsored Products and Display, docs/metrics.md rule 39): a
        (campaign, advertised SKU, day)'s spend goes to that day's
        lines of the SKU on channels whose attribution_rule is `amazon_ads_sku`
        (Amazon FBA and FBM) in the report's currency
        (marketplace), in proportion to units. Sponsored Brands spend has no SKU:
        it stays whole in int_ad_spend_unallocated.
      - ad fees a channel's statement charges per order (`channel_ad_spend_line_models`):
        already on the order's lines, taken as they are.
    Amazon Ads and channel-statement rows do not depend on touches: every model has
    the same ones.
    Integer cents, rounded half away from zero, remainder to the largest weight
    (ties: lowest order_line_id), so each campaign-day's shares sum exactly to
    the spend allocated. What no line takes is in int_ad_spend_unallocated.
    `amount_source` is in the spend's currency; `amount` is converted at the
    spend date.
-#}

with

ad_spend_daily as (

    select * from {{ ref('int_ad_spend_daily') }}

),

attribution_credits as (

    select * from {{ ref('int_attribution_credits') }}

),

-- An order's credit per model on each platform, campaign and touch day (several touches can share one).
attribution as (

    select
        attribution_model,
        order_id,
        platform,
        campaign_id,
        touch_date,
        sum(credit) as credit
    from attribution_credits
    where platform is not null
    group by attribution_model, order_id, platform, campaign_id, touch_date

),

attribution_models as (
    {%- for model_name in attribution_models() %}
        {% if not loop.first %}union all{% endif %}
        select '{{ model_name }}' as attribution_model
    {%- endfor %}

),

order_lines as (

    select * from {{ ref('int_order_lines') }}

),

channels as (

    select * from {{ ref('channels') }}

),

fx_rates_daily as (

    select * from {{ ref('int_fx_rates_daily') }}

),

campaign_spend as (

    select
        platform,
        campaign_id,
        spend_date,
        source_currency,
        spend_source_cents
    from ad_spend_daily
    -- Amazon Ads spend without a SKU (Sponsored Brands) is brand-level: never placed on web lines.
    where advertised_sku is null and ad_product is null

),

web_candidates as (

    select
        attribution.attribution_model,
        campaign_spend.platform,
        campaign_spend.campaign_id,
        campaign_spend.spend_date,
        campaign_spend.source_currency,
        campaign_spend.spend_source_cents,
        order_lines.order_line_id,
        cast(
            round(attribution.credit * (order_lines.gross_sales_cents - order_lines.discounts_cents) * 10000) as bigint
        ) as weight
    from campaign_spend
    inner join attribution
        on
            campaign_spend.platform = attribution.platform
            and campaign_spend.campaign_id = attribution.campaign_id
            and campaign_spend.spend_date = attribution.touch_date
    inner join order_lines
        on attribution.order_id = order_lines.order_id
    inner join channels
        on
            order_lines.channel = channels.channel
            and channels.attribution_rule = 'web_touches'

),

{{ allocate_cents_by_group_ctes(
    'web_allocated',
    'web_candidates',
    ['attribution_model', 'platform', 'campaign_id', 'spend_date'],
    'spend_source_cents',
    'weight',
    'order_line_id',
    'amount_source_cents',
    positive_groups_only=true
) }},

-- docs/metrics.md rule 42: a campaign-day no campaign-matched line carried goes to the lines of
-- orders credited to a touch of that platform and day whose campaign is unknown, by the same weight.
orphan_spend as (

    select
        attribution_models.attribution_model,
        campaign_spend.*
    from campaign_spend
    cross join attribution_models
    left join web_allocated_group_totals
        on
            attribution_models.attribution_model = web_allocated_group_totals.attribution_model
            and campaign_spend.platform = web_allocated_group_totals.platform
            and campaign_spend.campaign_id = web_allocated_group_totals.campaign_id
            and campaign_spend.spend_date = web_allocated_group_totals.spend_date
    where web_allocated_group_totals.platform is null

),

platform_only_candidates as (

    select
        orphan_spend.attribution_model,
        orphan_spend.platform,
        orphan_spend.campaign_id,
        orphan_spend.spend_date,
        orphan_spend.source_currency,
        orphan_spend.spend_source_cents,
        order_lines.order_line_id,
        cast(
            round(attribution.credit * (order_lines.gross_sales_cents - order_lines.discounts_cents) * 10000) as bigint
        ) as weight
    from orphan_spend
    inner join attribution
        on
            orphan_spend.attribution_model = attribution.attribution_model
            and orphan_spend.platform = attribution.platform
            and orphan_spend.spend_date = attribution.touch_date
            and attribution.campaign_id is null
    inner join order_lines
        on attribution.order_id = order_lines.order_id
    inner join channels
        on
            order_lines.channel = channels.channel
            and channels.attribution_rule = 'web_touches'

),

{{ allocate_cents_by_group_ctes(
    'platform_only_allocated',
    'platform_only_candidates',
    ['attribution_model', 'platform', 'campaign_id', 'spend_date'],
    'spend_source_cents',
    'weight',
    'order_line_id',
    'amount_source_cents',
    positive_groups_only=true
) }},

sku_spend as (

    select
        platform,
        campaign_id,
        advertised_sku,
        spend_date,
        source_currency,
        spend_source_cents
    from ad_spend_daily
    where advertised_sku is not null

),

amazon_candidates as (

    select
        sku_spend.platform,
        sku_spend.campaign_id,
        sku_spend.advertised_sku,
        sku_spend.spend_date,
        sku_spend.source_currency,
        sku_spend.spend_source_cents,
        order_lines.order_line_id,
        order_lines.units as weight
    from sku_spend
    inner join order_lines
        on
            sku_spend.advertised_sku = order_lines.sku
            and sku_spend.spend_date = order_lines.order_date
            and sku_spend.source_currency = order_lines.source_currency
            -- A placeholder line (a refund of an unseen order, docs/metrics.md rule 27) sold no units.
            and order_lines.units > 0
    inner join channels
        on
            order_lines.channel = channels.channel
            and channels.attribution_rule = 'amazon_ads_sku'

),

{{ allocate_cents_by_group_ctes(
    'amazon_allocated',
    'amazon_candidates',
    ['campaign_id', 'advertised_sku', 'spend_date'],
    'spend_source_cents',
    'weight',
    'order_line_id',
    'amount_source_cents'
) }},

-- One row per model x line x campaign x day as they stand, nothing to sum: a campaign-day is one row of
-- int_ad_spend_daily (its unique test), an order one row of `attribution` per campaign-day, and the
-- web and platform-only groups are disjoint; an Amazon line takes one SKU's spend per campaign-day;
-- the statement models are unique per line x campaign x day (their tests).
lines as (

    select
        attribution_model,
        order_line_id,
        platform,
        campaign_id,
        spend_date,
        source_currency,
        amount_source_cents
    from web_allocated

    union all

    select
        attribution_model,
        order_line_id,
        platform,
        campaign_id,
        spend_date,
        source_currency,
        amount_source_cents
    from platform_only_allocated

    union all

    -- Amazon Ads and channel-statement rows do not depend on touches: converted once (attribution_model
    -- null here), then repeated for every model in `final`.
    select
        cast(null as {{ dbt.type_string() }}) as attribution_model,
        order_line_id,
        platform,
        campaign_id,
        spend_date,
        source_currency,
        amount_source_cents
    from amazon_allocated
    {%- for model_name in var('channel_ad_spend_line_models') %}

        union all

        select
            cast(null as {{ dbt.type_string() }}) as attribution_model,
            order_line_id,
            platform,
            campaign_id,
            spend_date,
            source_currency,
            amount_source_cents
        from {{ ref(model_name) }}
    {%- endfor %}

),

converted as (

    select
        lines.attribution_model,
        lines.order_line_id,
        lines.platform,
        lines.campaign_id,
        lines.spend_date,
        lines.source_currency,
        '{{ var("reporting_currency") }}' as reporting_currency,
        lines.amount_source_cents,
        {{ convert_cents('lines.amount_source_cents', 'fx_rates_daily.rate_e6') }} as amount_cents,
        {{ from_cents('lines.amount_source_cents') }} as amount_source,
        {{ from_cents(convert_cents('lines.amount_source_cents', 'fx_rates_daily.rate_e6')) }} as amount
    from lines
    left join fx_rates_daily
        on
            lines.source_currency = fx_rates_daily.currency
            and lines.spend_date = fx_rates_daily.rate_date

),

final as (

    select * from converted
    where attribution_model is not null

    union all

    select
        attribution_models.attribution_model,
        converted.order_line_id,
        converted.platform,
        converted.campaign_id,
        converted.spend_date,
        converted.source_currency,
        converted.reporting_currency,
        converted.amount_source_cents,
        converted.amount_cents,
        converted.amount_source,
        converted.amount
    from converted
    cross join attribution_models
    where converted.attribution_model is null

)

select * from final
