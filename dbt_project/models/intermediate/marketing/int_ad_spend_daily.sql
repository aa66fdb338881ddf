{#-
    Unified daily ad spend of every ad platform, in cents:
      - google_ads and meta_ads at campaign x day (advertised_sku null);
      - amazon_ads at campaign x advertised SKU x day (Sponsored Products
        spAdvertisedProduct and Sponsored Display sdAdvertisedProduct reports) and
        at campaign x day with advertised_sku null (Sponsored Brands sbCampaigns:
        brand-level spend, never allocated to lines; docs/metrics.md rule 39);
        `ad_product` says which (null for the other platforms);
      - ad fees a channel's own statement charges per order (the models the
        `channel_ad_spend_line_models` var lists, already placed on lines), at
        campaign x day: the statement is their report.
    Rows whose campaign id is missing (UI / Ads Manager downloads that carry names
    only) take the id the same platform reports for that name (case-insensitive);
    a name no report ever ties to an id keeps `name:<campaign name>` as its id, so
    no spend is lost. Per campaign-day only the latest delivery (file) counts, at
    the coarsest level it reports (campaign, else ad set, else ad rows summed), so
    a restated day or a file at a finer level never double counts.
    `spend_source_cents` is in the report's currency (Google GAQL rows without a
    currency take the campaign's / account's currency from other rows);
    `spend_cents` is converted to the reporting currency at the spend date.
-#}

with

google_ads_campaign_daily as (

    select * from {{ ref('stg_google_ads__campaign_daily') }}

),

meta_ads_campaign_daily as (

    select * from {{ ref('stg_meta_ads__campaign_daily') }}

),

amazon_ads_advertised_product_daily as (

    select * from {{ ref('stg_amazon_ads__advertised_product_daily') }}

),

amazon_ads_brands_display_daily as (

    select * from {{ ref('stg_amazon_ads__sponsored_brands_display_daily') }}

),

fx_rates_daily as (

    select * from {{ ref('int_fx_rates_daily') }}

),

campaign_daily_rows as (

    select
        'google_ads' as platform,
        date as spend_date,
        campaign_id,
        campaign_name,
        currency,
        0 as report_level,
        case
            when cost is not null then {{ to_cents('cost') }}
            else {{ div_round('cost_micros', '10000') }}
        end as spend_source_cents,
        impressions,
        clicks,
        _source_sha256,
        _record_version,
        _ingested_at
    from google_ads_campaign_daily

    union all

    select
        'meta_ads' as platform,
        date as spend_date,
        campaign_id,
        campaign_name,
        currency,
        case
            when ad_id is not null then 2
            when adset_id is not null or adset_name is not null then 1
            else 0
        end as report_level,
        {{ to_cents('spend') }} as spend_source_cents,
        impressions,
        clicks,
        _source_sha256,
        _record_version,
        _ingested_at
    from meta_ads_campaign_daily

),

-- Campaign ids by (platform, lower-cased name), from the rows that carry both.
campaign_ids_by_name as (

    select
        platform,
        lower(campaign_name) as campaign_name_key,
        min(campaign_id) as campaign_id
    from campaign_daily_rows
    where campaign_id is not null and campaign_name is not null
    group by platform, lower(campaign_name)

),

resolved as (

    select
        campaign_daily_rows.platform,
        campaign_daily_rows.spend_date,
        coalesce(
            campaign_daily_rows.campaign_id,
            campaign_ids_by_name.campaign_id,
            {{ dbt.concat(["'name:'", 'campaign_daily_rows.campaign_name']) }}
        ) as campaign_id,
        campaign_daily_rows.campaign_name,
        campaign_daily_rows.currency,
        campaign_daily_rows.report_level,
        campaign_daily_rows.spend_source_cents,
        campaign_daily_rows.impressions,
        campaign_daily_rows.clicks,
        campaign_daily_rows._source_sha256,
        campaign_daily_rows._record_version,
        campaign_daily_rows._ingested_at
    from campaign_daily_rows
    left join campaign_ids_by_name
        on
            campaign_daily_rows.campaign_id is null
            and campaign_daily_rows.platform = campaign_ids_by_name.platform
            and lower(campaign_daily_rows.campaign_name) = campaign_ids_by_name.campaign_name_key

),

-- The delivery (file) and level that speak for each campaign-day.
ranked_deliveries as (

    select
        platform,
        spend_date,
        campaign_id,
        _source_sha256,
        report_level,
        row_number() over (
            partition by platform, campaign_id, spend_date
            order by report_level asc, max(_record_version) desc, max(_ingested_at) desc, _source_sha256 desc
        ) as delivery_rank
    from resolved
    group by platform, spend_date, campaign_id, _source_sha256, report_level

),

campaign_daily as (

    select
        resolved.platform,
        resolved.spend_date,
        resolved.campaign_id,
        max(resolved.campaign_name) as campaign_name,
        cast(null as {{ dbt.type_string() }}) as ad_product,
        cast(null as {{ dbt.type_string() }}) as advertised_sku,
        max(resolved.currency) as report_currency,
        sum(resolved.spend_source_cents) as spend_source_cents,
        sum(resolved.impressions) as impressions,
        sum(resolved.clicks) as clicks
    from resolved
    inner join ranked_deliveries
        on
            resolved.platform = ranked_deliveries.platform
            and resolved.spend_date = ranked_deliveries.spend_date
            and resolved.campaign_id = ranked_deliveries.campaign_id
            and resolved._source_sha256 = ranked_deliveries._source_sha256
            and resolved.report_level = ranked_deliveries.report_level
            and ranked_deliveries.delivery_rank = 1
    group by resolved.platform, resolved.spend_date, resolved.campaign_id

),

amazon_rows as (

    select
        'SPONSORED_PRODUCTS' as ad_product,
        date,
        campaign_id,
        campaign_name,
        advertised_sku,
        currency,
        cost,
        impressions,
        clicks
    from amazon_ads_advertised_product_daily

    union all

    select
        ad_product,
        date,
        campaign_id,
        campaign_name,
        advertised_sku,
        currency,
        cost,
        impressions,
        clicks
    from amazon_ads_brands_display_daily

),

amazon_daily as (

    select
        'amazon_ads' as platform,
        date as spend_date,
        campaign_id,
        max(campaign_name) as campaign_name,
        max(ad_product) as ad_product,
        advertised_sku,
        max(currency) as report_currency,
        sum({{ to_cents('cost') }}) as spend_source_cents,
        sum(impressions) as impressions,
        sum(clicks) as clicks
    from amazon_rows
    group by date, campaign_id, advertised_sku

),

unioned as (

    select * from campaign_daily
    union all
    select * from amazon_daily
    {%- for model_name in var('channel_ad_spend_line_models') %}
        union all
        select
            platform,
            spend_date,
            campaign_id,
            max(campaign_name) as campaign_name,
            cast(null as {{ dbt.type_string() }}) as ad_product,
            cast(null as {{ dbt.type_string() }}) as advertised_sku,
            source_currency as report_currency,
            sum(amount_source_cents) as spend_source_cents,
            0 as impressions,
            0 as clicks
        from {{ ref(model_name) }}
        group by platform, spend_date, campaign_id, source_currency
    {%- endfor %}

),

-- A row without a currency (Google GAQL) takes its campaign's, else its platform's.
with_currency as (

    select
        platform,
        spend_date,
        campaign_id,
        campaign_name,
        ad_product,
        advertised_sku,
        coalesce(
            report_currency,
            max(report_currency) over (partition by platform, campaign_id),
            max(report_currency) over (partition by platform),
            '{{ var("reporting_currency") }}'
        ) as source_currency,
        spend_source_cents,
        impressions,
        clicks
    from unioned

),

final as (

    select
        with_currency.platform,
        with_currency.campaign_id,
        with_currency.campaign_name,
        with_currency.ad_product,
        with_currency.advertised_sku,
        with_currency.spend_date,
        with_currency.source_currency,
        with_currency.spend_source_cents,
        fx_rates_daily.rate_e6,
        {{ convert_cents('with_currency.spend_source_cents', 'fx_rates_daily.rate_e6') }} as spend_cents,
        with_currency.impressions,
        with_currency.clicks
    from with_currency
    left join fx_rates_daily
        on
            with_currency.source_currency = fx_rates_daily.currency
            and with_currency.spend_date = fx_rates_daily.rate_date

)

select * from final
