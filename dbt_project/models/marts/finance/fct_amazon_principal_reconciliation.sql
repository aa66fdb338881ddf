{#-
    Settlement principal vs the fact's actual gross sales (docs/metrics.md rule
    29): one row per marketplace, month and settlement file, in the marketplace
    currency. `settlement_principal_source` is the ItemPrice/Principal of the
    file's Order rows (read from the settlement lines themselves, not through
    the amount-type seed), net of the VAT of the line's rate where the
    marketplace sells VAT-inclusive (rule 28); `gross_sales_source` the
    `gross_sales_source` of those lines in fct_financial_performance; the month
    is the line's order month (the posted month for a line the fact lacks).
    `difference_source` is 0 when every posted sale is in the fact as its
    actual (rule 25); the test assert_amazon_settlement_principal_matches_gross_sales
    fails on any other value, naming the file and the amounts.
-#}

with

settlement_lines as (

    select * from {{ ref('stg_amazon__settlement_lines') }}

),

line_vat_rates as (

    select * from {{ ref('int_amazon_line_vat_rates') }}

),

fact_lines as (

    select * from {{ ref('fct_financial_performance') }}

),

principal_by_line as (

    select
        {{ dbt.concat(['order_id', "'-'", 'sku']) }} as order_line_id,
        min(marketplace_name) as marketplace,
        min(currency) as source_currency,
        min(_source_file) as source_file,
        min(posted_date) as first_posted_date,
        sum({{ to_cents('amount') }}) as principal_cents
    from settlement_lines
    where
        lower(transaction_type) = 'order'
        and amount_type = 'ItemPrice'
        and amount_description = 'Principal'
        and order_id is not null
        and sku is not null
    group by {{ dbt.concat(['order_id', "'-'", 'sku']) }}

),

compared_lines as (

    select
        principal_by_line.marketplace,
        principal_by_line.source_currency,
        principal_by_line.source_file,
        cast({{ dbt.date_trunc('month', 'coalesce(fact_lines.order_date, principal_by_line.first_posted_date)') }} as date)
            as pnl_month,
        principal_by_line.principal_cents
        - {{ div_round(
            'principal_by_line.principal_cents * coalesce(line_vat_rates.vat_rate_e6, 0)',
            '1000000 + coalesce(line_vat_rates.vat_rate_e6, 0)'
        ) }} as settlement_cents,
        {{ to_cents('coalesce(fact_lines.gross_sales_source, 0)') }} as fact_cents
    from principal_by_line
    left join line_vat_rates
        on principal_by_line.order_line_id = line_vat_rates.order_line_id
    left join fact_lines
        on principal_by_line.order_line_id = fact_lines.order_line_id

),

compared as (

    select
        marketplace,
        pnl_month,
        source_file,
        source_currency,
        sum(settlement_cents) as settlement_cents,
        sum(fact_cents) as fact_cents
    from compared_lines
    group by marketplace, pnl_month, source_file, source_currency

),

final as (

    select
        marketplace,
        pnl_month,
        source_file,
        source_currency,
        settlement_cents as settlement_principal_source_cents,
        fact_cents as gross_sales_source_cents,
        settlement_cents - fact_cents as difference_source_cents,
        {{ from_cents('settlement_cents') }} as settlement_principal_source,
        {{ from_cents('fact_cents') }} as gross_sales_source,
        {{ from_cents('settlement_cents - fact_cents') }} as difference_source
    from compared

)

select * from final
