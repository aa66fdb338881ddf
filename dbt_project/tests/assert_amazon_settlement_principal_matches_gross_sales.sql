{#-
    Settlement principal vs the fact's actual gross sales (docs/metrics.md rules
    25, 28, 29), per marketplace, month and settlement file, in the marketplace
    currency, to the cent: the ItemPrice/Principal of the settlement's Order rows
    (read from the settlement lines themselves, not through the amount-type
    seed), net of the VAT of the line's rate where the marketplace sells
    VAT-inclusive, must equal `gross_sales_source` of those lines in
    fct_financial_performance. The month is the line's order month (the
    posted month for a line the fact lacks). A principal whose line is missing
    from the fact (an order the All Orders report never showed) or was not taken
    as the actual (a seed that no longer maps Principal to gross_sales) fails
    here. Each failing row's `failure_message` names the settlement file and
    both amounts. The comparison is the mart fct_amazon_principal_reconciliation.
-#}

{{ config(store_failures=true, meta={'dagster': {'ref': {'name': 'fct_amazon_principal_reconciliation'}}}) }}

with

reconciliation as (

    select * from {{ ref('fct_amazon_principal_reconciliation') }}

),

final as (

    select
        marketplace,
        pnl_month,
        source_file,
        source_currency,
        settlement_principal_source,
        gross_sales_source,
        difference_source,
        {{ dbt.concat([
            "'Amazon settlement file '", 'source_file',
            "' ('", 'marketplace', "', '", "cast(pnl_month as " ~ dbt.type_string() ~ ")",
            "'): Order ItemPrice/Principal net of VAT '",
            "cast(settlement_principal_source as " ~ dbt.type_string() ~ ")", "' '", 'source_currency',
            "' but gross_sales of its lines in fct_financial_performance '",
            "cast(gross_sales_source as " ~ dbt.type_string() ~ ")",
            "' (difference '", "cast(difference_source as " ~ dbt.type_string() ~ ")", "')'",
        ]) }} as failure_message
    from reconciliation
    where difference_source_cents != 0

)

select * from final
