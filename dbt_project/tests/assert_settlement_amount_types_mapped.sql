{{ config(severity='warn') }}
{#-
    metrics.md principle 5: every (transaction type, amount type, description)
    of the Amazon settlement report has a row in the settlement_amount_types
    seed. Names each unmapped pair (it lands in fct_daily_costs as
    `other_settlement_charge` meanwhile) with its row count and source amount:
    add it to the seed as a measure, a daily cost or excluded with a reason.
-#}

select
    transaction_type,
    amount_type,
    amount_description,
    source_currency,
    count(*) as settlement_rows,
    sum(amount_source_cents) as amount_source_cents
from {{ ref('int_settlement_amounts_mapped') }}
where not is_mapped
group by transaction_type, amount_type, amount_description, source_currency
