{#-
    The monthly KPI mart counts each platform's reported spend once: per platform and
    month, its spend equals the ad reports' spend (int_ad_spend_daily plus ad fees
    carried on lines, as fct_campaign_daily shows them, converted). fct_campaign_daily
    may one day hold a row per attribution model; a KPI mart that forgot to keep only
    the default model would count spend once per model and fail here.
    Returns offending (platform, month) rows.
-#}

-- The asset check shows on this model in Dagster (the test reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'fct_marketing_kpis_monthly'}}}) }}

with

reported as (

    select
        platform,
        cast({{ dbt.date_trunc('month', 'spend_date') }} as date) as kpi_month,
        sum(spend_cents) as reported_cents
    from {{ ref('int_ad_spend_daily') }}
    group by 1, 2

),

kpis as (

    select
        platform,
        kpi_month,
        {{ to_cents('spend') }} as kpi_cents
    from {{ ref('fct_marketing_kpis_monthly') }}
    where channel = 'All channels' and platform != 'All platforms'

),

compared as (

    select
        coalesce(reported.platform, kpis.platform) as platform,
        coalesce(reported.kpi_month, kpis.kpi_month) as kpi_month,
        coalesce(reported.reported_cents, 0) as reported_cents,
        coalesce(kpis.kpi_cents, 0) as kpi_cents
    from reported
    full outer join kpis
        on
            reported.platform = kpis.platform
            and reported.kpi_month = kpis.kpi_month

)

select *
from compared
where reported_cents != kpi_cents
