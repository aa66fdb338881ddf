{#-
    The settlement's "Cost of Advertising" against the Amazon Ads reports (contract v2
    "Advertising", docs/metrics.md rule 40). One row per calendar month of the Cost of
    Advertising posted date and settlement currency (the reports' budget currency stands for the
    marketplace: an Ads profile is one marketplace), compared once the month is settled: it has a
    Cost of Advertising row and a settlement in that currency ends at or after the next month's
    first instant (so every charge of the month is in).
      - charged: minus the Cost of Advertising amounts (ServiceFee rows) posted in the month;
      - reported: the month's spend of every Amazon Ads report in that currency (Sponsored
        Products, Brands and Display; int_ad_spend_daily);
      - difference = charged - reported: charges no report shows (a report not exported) are
        positive, credits (invalid clicks) negative. fct_daily_costs carries it as
        `unreported_ad_charge` (platform amazon_ads, the unassigned channel) on `cost_date`, the
        month's last Cost of Advertising posted date, so the settlement's ad charge is never
        dropped: reported spend + unreported_ad_charge = charged.
    `settlement_files` names the settlement files of the month's charges (the warning test
    assert_amazon_ad_charge_matches_reports prints it with the difference).
-#}

with

settlement_lines as (

    select * from {{ ref('stg_amazon__settlement_lines') }}

),

settlements as (

    select * from {{ ref('stg_amazon__settlements') }}

),

ad_spend_daily as (

    select * from {{ ref('int_ad_spend_daily') }}

),

fx_rates_daily as (

    select * from {{ ref('int_fx_rates_daily') }}

),

charges as (

    select
        marketplace_name,
        currency,
        posted_date,
        cast({{ dbt.date_trunc('month', 'posted_date') }} as date) as charge_month,
        {{ to_cents('amount') }} as amount_source_cents,
        _source_file
    from settlement_lines
    where amount_type = 'Cost of Advertising'

),

-- Settlements are covered per currency (the summary row may carry no marketplace name).
covered as (

    select
        currency,
        max(settlement_end_date) as covered_until
    from settlements
    group by currency

),

monthly_charges as (

    select
        charge_month,
        currency,
        min(marketplace_name) as marketplace_name,
        -sum(amount_source_cents) as charged_source_cents,
        max(posted_date) as cost_date
    from charges
    group by charge_month, currency

),

-- The files of the month's charges: one or two named, more as first, ..., last.
files_listed as (

    select
        charge_month,
        currency,
        case
            when count(distinct _source_file) = 1 then min(_source_file)
            when count(distinct _source_file) = 2 then min(_source_file) || ', ' || max(_source_file)
            else min(_source_file) || ', ..., ' || max(_source_file)
        end as settlement_files
    from charges
    group by charge_month, currency

),

settled_months as (

    select monthly_charges.*
    from monthly_charges
    inner join covered
        on monthly_charges.currency = covered.currency
    where
        cast(covered.covered_until as date)
        >= cast({{ dbt.dateadd('month', 1, 'monthly_charges.charge_month') }} as date)

),

reported as (

    select
        cast({{ dbt.date_trunc('month', 'spend_date') }} as date) as spend_month,
        source_currency,
        sum(spend_source_cents) as reported_source_cents
    from ad_spend_daily
    where platform = 'amazon_ads'
    group by cast({{ dbt.date_trunc('month', 'spend_date') }} as date), source_currency

),

compared as (

    select
        settled_months.charge_month,
        settled_months.currency as source_currency,
        settled_months.marketplace_name,
        files_listed.settlement_files,
        settled_months.cost_date,
        settled_months.charged_source_cents,
        coalesce(reported.reported_source_cents, 0) as reported_source_cents,
        settled_months.charged_source_cents - coalesce(reported.reported_source_cents, 0) as difference_source_cents
    from settled_months
    inner join files_listed
        on
            settled_months.charge_month = files_listed.charge_month
            and settled_months.currency = files_listed.currency
    left join reported
        on
            settled_months.charge_month = reported.spend_month
            and settled_months.currency = reported.source_currency

),

final as (

    select
        compared.charge_month,
        compared.marketplace_name,
        compared.source_currency,
        compared.settlement_files,
        compared.cost_date,
        compared.charged_source_cents,
        compared.reported_source_cents,
        compared.difference_source_cents,
        {{ from_cents('compared.charged_source_cents') }} as charged_source,
        {{ from_cents('compared.reported_source_cents') }} as reported_source,
        {{ from_cents('compared.difference_source_cents') }} as difference_source,
        {{ from_cents(convert_cents('compared.difference_source_cents', 'fx_rates_daily.rate_e6')) }} as difference
    from compared
    left join fx_rates_daily
        on
            compared.source_currency = fx_rates_daily.currency
            and compared.cost_date = fx_rates_daily.rate_date

)

select * from final
