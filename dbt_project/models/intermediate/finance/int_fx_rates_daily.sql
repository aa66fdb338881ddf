{#-
    One row per (rate_date, currency) for every calendar date of the data range:
    the rate that converts 1 unit of `currency` into the reporting currency
    (var('reporting_currency')), in micro-units (`rate_e6`), as metrics.md
    principle 7 and docs/metrics.md rule 15 define it:
      - the brand file's rates are units of the pivot currency per 1 unit of
        `currency`; cross rates go through the pivot (rate_c / rate_reporting);
      - a date without a rate takes the latest earlier rate at most
        var('fx_max_age_days') days old; beyond that `rate_e6` is null and the
        `fx_rate_available` test fails the build for any event that needs it;
      - the reporting currency converts at exactly 1 (1,000,000 micro-units).
-#}
{#- A table: every money model joins it, and its range scans every source. -#}
{{ config(materialized='table') }}
{%- set reporting_currency = var('reporting_currency') -%}
{%- set max_age_days = var('fx_max_age_days') -%}

with

fx_rates as (

    select * from {{ ref('stg_brand__fx_rates') }}

),

shopify_orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

shopify_refunds as (

    select * from {{ ref('stg_shopify__refunds') }}

),

shopify_payment_transactions as (

    select * from {{ ref('stg_shopify__payment_transactions') }}

),

amazon_orders as (

    select * from {{ ref('stg_amazon__orders') }}

),

amazon_settlement_lines as (

    select * from {{ ref('stg_amazon__settlement_lines') }}

),

google_ads_campaign_daily as (

    select * from {{ ref('stg_google_ads__campaign_daily') }}

),

meta_ads_campaign_daily as (

    select * from {{ ref('stg_meta_ads__campaign_daily') }}

),

amazon_ads_advertised_product_daily as (

    select * from {{ ref('stg_amazon_ads__advertised_product_daily') }}

),

carrier_invoices as (

    select * from {{ ref('stg_brand__carrier_invoices') }}

),

-- The data range: from the first rate or event to the last rate or event. Every channel's prepared lines
-- and dated line amounts count, from the var lists, so a new channel widens it without an edit (channel
-- daily costs are dated within their statements' range and depend on order lines, hence on this model).
range_candidates as (

    select
        min(date) as first_date,
        max(date) as last_date
    from fx_rates
    union all
    select
        min({{ to_brand_date('created_at') }}) as first_date,
        max({{ to_brand_date('created_at') }}) as last_date
    from shopify_orders
    union all
    select
        min({{ to_brand_date('created_at') }}) as first_date,
        max({{ to_brand_date('created_at') }}) as last_date
    from shopify_refunds
    union all
    select
        min({{ to_brand_date('transaction_at') }}) as first_date,
        max({{ to_brand_date('transaction_at') }}) as last_date
    from shopify_payment_transactions
    union all
    select
        min({{ to_brand_date('purchase_date') }}) as first_date,
        max({{ to_brand_date('purchase_date') }}) as last_date
    from amazon_orders
    union all
    select
        min(coalesce({{ to_brand_date('posted_at') }}, posted_date)) as first_date,
        max(posted_date) as last_date
    from amazon_settlement_lines
    union all
    select
        min(date) as first_date,
        max(date) as last_date
    from google_ads_campaign_daily
    union all
    select
        min(date) as first_date,
        max(date) as last_date
    from meta_ads_campaign_daily
    union all
    select
        min(date) as first_date,
        max(date) as last_date
    from amazon_ads_advertised_product_daily
    union all
    select
        min(ship_date) as first_date,
        max(ship_date) as last_date
    from carrier_invoices
    {%- for dated_models, date_column in [
        (var('channel_order_line_models'), 'order_date'),
        (var('channel_line_amount_models'), 'event_date'),
    ] %}
        {%- for model in dated_models %}
            union all
            select
                min({{ date_column }}) as first_date,
                max({{ date_column }}) as last_date
            from {{ ref(model) }}
        {%- endfor %}
    {%- endfor %}

),

date_range as (

    select
        min(first_date) as first_date,
        max(last_date) as last_date
    from range_candidates

),

day_offsets as (

    {{ day_offsets() }}

),

calendar as (

    select {{ add_days('date_range.first_date', 'day_offsets.day_offset') }} as rate_date
    from date_range
    inner join day_offsets
        on day_offsets.day_offset <= {{ days_between('date_range.first_date', 'date_range.last_date') }}

),

pivot_currency as (

    select min(pivot_currency) as pivot_currency
    from fx_rates

),

-- Rates in pivot units, each valid until the currency's next rate date.
rate_windows as (

    select
        currency,
        date as valid_from,
        lead(date) over (partition by currency order by date) as valid_to,
        rate as pivot_rate
    from fx_rates

),

currencies as (

    select distinct currency from fx_rates
    union
    select pivot_currency from pivot_currency
    union
    select '{{ reporting_currency }}'

),

-- Every currency's latest rate on or before each calendar date (the pivot is 1 on every date).
pivot_rates_daily as (

    select
        calendar.rate_date,
        rate_windows.currency,
        rate_windows.pivot_rate,
        rate_windows.valid_from as rate_source_date
    from calendar
    inner join rate_windows
        on
            calendar.rate_date >= rate_windows.valid_from
            and (rate_windows.valid_to is null or calendar.rate_date < rate_windows.valid_to)

    union all

    select
        calendar.rate_date,
        pivot_currency.pivot_currency as currency,
        cast(1 as {{ dbt.type_numeric() }}) as pivot_rate,
        calendar.rate_date as rate_source_date
    from calendar
    cross join pivot_currency

),

crossed as (

    select
        calendar.rate_date,
        currencies.currency,
        source_rate.pivot_rate as source_pivot_rate,
        reporting_rate.pivot_rate as reporting_pivot_rate,
        case
            when currencies.currency = '{{ reporting_currency }}' then calendar.rate_date
            when source_rate.rate_source_date is null or reporting_rate.rate_source_date is null then null
            when source_rate.rate_source_date < reporting_rate.rate_source_date then source_rate.rate_source_date
            else reporting_rate.rate_source_date
        end as rate_source_date
    from calendar
    cross join currencies
    left join pivot_rates_daily as source_rate
        on
            calendar.rate_date = source_rate.rate_date
            and currencies.currency = source_rate.currency
    left join pivot_rates_daily as reporting_rate
        on
            calendar.rate_date = reporting_rate.rate_date
            and reporting_rate.currency = '{{ reporting_currency }}'

),

final as (

    select
        rate_date,
        currency,
        '{{ reporting_currency }}' as reporting_currency,
        case
            when currency = '{{ reporting_currency }}' then cast(1000000 as bigint)
            when rate_source_date is null then null
            when {{ days_between('rate_source_date', 'rate_date') }} > {{ max_age_days }} then null
            when reporting_pivot_rate = 1
                then cast(round(source_pivot_rate * 1000000, 0) as bigint)
            else cast(round(source_pivot_rate * 1000000 / reporting_pivot_rate, 0) as bigint)
        end as rate_e6,
        rate_source_date,
        {{ days_between('rate_source_date', 'rate_date') }} as rate_age_days
    from crossed

)

select * from final
