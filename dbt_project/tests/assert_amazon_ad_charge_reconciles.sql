{{ config(store_failures=true, meta={'dagster': {'ref': {'name': 'int_amazon_ad_charge_reconciliation'}}}) }}
{#-
    docs/metrics.md rule 40, the books close on advertising: per settled month and currency, the
    Cost of Advertising charged = the Amazon Ads reports' spend + the `unreported_ad_charge` rows of
    fct_daily_costs on the month's cost date. Returns one row per difference, naming the settlement
    files.
-#}

with

reconciliation as (

    select * from {{ ref('int_amazon_ad_charge_reconciliation') }}

),

daily_costs as (

    select
        cost_date,
        source_currency,
        sum({{ to_cents('amount_source') }}) as unreported_source_cents
    from {{ ref('fct_daily_costs') }}
    where cost_type = 'unreported_ad_charge'
    group by cost_date, source_currency

),

final as (

    select
        reconciliation.charge_month,
        reconciliation.settlement_files,
        reconciliation.charged_source_cents,
        reconciliation.reported_source_cents,
        coalesce(daily_costs.unreported_source_cents, 0) as unreported_source_cents,
        'Cost of Advertising in ' || reconciliation.settlement_files || ' ('
        || cast(reconciliation.charged_source as {{ dbt.type_string() }})
        || ') is not reported spend + unreported_ad_charge in fct_daily_costs' as failure_message
    from reconciliation
    left join daily_costs
        on
            reconciliation.cost_date = daily_costs.cost_date
            and reconciliation.source_currency = daily_costs.source_currency
    where
        reconciliation.charged_source_cents
        != reconciliation.reported_source_cents + coalesce(daily_costs.unreported_source_cents, 0)

)

select * from final
