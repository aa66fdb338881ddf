{{ config(store_failures=true, meta={'dagster': {'ref': {'name': 'fct_payout_reconciliation'}}}) }}
{#-
    The books close (docs/metrics.md rule 20): every Amazon settlement and every
    Shopify Payments payout with a known deposit has deposited = carried +
    excluded, to the cent, in its own currency (fct_payout_reconciliation).
    One row per settlement or payout that does not close, naming it, its files
    and the amount.
-#}

select
    source,
    payout_id,
    payout_date,
    source_currency,
    source_file,
    transactions_file,
    deposited_amount,
    carried_amount,
    excluded_amount,
    difference_amount,
    source || ' ' || payout_id || ' of ' || cast(payout_date as {{ dbt.type_string() }}) || ' ('
    || coalesce(source_file, 'no payout file') || '; transactions '
    || coalesce(transactions_file, 'none') || ') does not close: deposited '
    || cast(deposited_amount as {{ dbt.type_string() }}) || ' ' || source_currency || ', carried '
    || cast(carried_amount as {{ dbt.type_string() }}) || ' + excluded '
    || cast(excluded_amount as {{ dbt.type_string() }}) || ', difference '
    || cast(difference_amount as {{ dbt.type_string() }}) as failure_message
from {{ ref('fct_payout_reconciliation') }}
where difference_amount != 0
