{#-
    Payment fees per day equal the Shopify Payments export (docs/metrics.md rule 10), in
    source currency, to the cent: the export's `fee` of the rows the seed maps to
    payment_fees (int_payment_amounts_mapped; other fees are daily costs, rule 19),
    summed by transaction date (brand time zone) = the actual (not estimated) payment fees on order lines
    summed by their fee date (the order's first transaction). An export row of
    an order that is not in the line universe fails here (nothing is lost).
    Returns one row per day and currency that differs.
-#}

-- The asset check shows on this model in Dagster (the test reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'int_payment_fees_by_line'}}}) }}

with

payment_amounts as (

    select * from {{ ref('int_payment_amounts_mapped') }}

),

line_fees as (

    select * from {{ ref('int_payment_fees_by_line') }}

),

export_fees as (

    select
        transaction_date as fee_date,
        source_currency,
        sum(-amount_source_cents) as fee_cents
    from payment_amounts
    where
        mapping_kind = 'measure' and maps_to = 'payment_fees'
        -- dispute fees: assert_shopify_chargebacks_reconcile_to_payments_export (rule 33)
        and lower(transaction_type) not in ('{{ var("shopify_dispute_types") | join("', '") }}')
    group by transaction_date, source_currency

),

allocated_fees as (

    select
        payment_fee_date as fee_date,
        source_currency,
        sum(payment_fees_source_cents) as fee_cents
    from line_fees
    where
        channel = 'Shopify Web'
        and not is_payment_fee_estimated
    group by payment_fee_date, source_currency

),

compared as (

    select
        coalesce(export_fees.fee_date, allocated_fees.fee_date) as fee_date,
        coalesce(export_fees.source_currency, allocated_fees.source_currency) as source_currency,
        coalesce(export_fees.fee_cents, 0) as export_fee_cents,
        coalesce(allocated_fees.fee_cents, 0) as line_fee_cents
    from export_fees
    full outer join allocated_fees
        on
            export_fees.fee_date = allocated_fees.fee_date
            and export_fees.source_currency = allocated_fees.source_currency

)

select * from compared
where export_fee_cents != line_fee_cents
