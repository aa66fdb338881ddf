{{ config(severity='warn', store_failures=true, meta={'dagster': {'ref': {'name': 'int_payment_amounts_mapped'}}}) }}
{#-
    metrics.md principle 5, docs/metrics.md rule 19: every (transaction type,
    amount type, description) of the Amazon settlement report and every (Type,
    amount column) of the Shopify Payments export has a row in the
    settlement_amount_types seed. Names each unmapped pair and the file it came
    from, with its row count and source amount; meanwhile the amount lands in
    fct_daily_costs as `other_settlement_charge` (Amazon) or
    `other_payment_charge` (Shopify Payments), so nothing is lost. Fix: add the
    pair to the seed as a measure, a daily cost or excluded with a reason.
-#}

with

unmapped as (

    select
        'amazon_settlement' as source,
        transaction_type,
        amount_type,
        amount_description,
        source_file,
        source_currency,
        maps_to,
        amount_source_cents
    from {{ ref('int_settlement_amounts_mapped') }}
    where not is_mapped

    union all

    select
        'shopify_payments' as source,
        transaction_type,
        amount_type,
        '*' as amount_description,
        source_file,
        source_currency,
        maps_to,
        amount_source_cents
    from {{ ref('int_payment_amounts_mapped') }}
    where not is_mapped

),

grouped as (

    select
        source,
        transaction_type,
        amount_type,
        amount_description,
        source_file,
        source_currency,
        maps_to,
        count(*) as amount_rows,
        sum(amount_source_cents) as amount_source_cents
    from unmapped
    group by source, transaction_type, amount_type, amount_description, source_file, source_currency, maps_to

)

select
    grouped.*,
    'unmapped ' || source || ' pair (' || transaction_type || ', ' || amount_type || ', ' || amount_description
    || ') in ' || source_file || ': ' || cast(amount_rows as {{ dbt.type_string() }}) || ' rows, '
    || cast({{ from_cents('amount_source_cents') }} as {{ dbt.type_string() }}) || ' ' || source_currency
    || ' kept as daily cost ' || maps_to || '; add it to seeds/settlement_amount_types.csv' as failure_message
from grouped
