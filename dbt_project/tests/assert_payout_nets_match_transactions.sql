{{ config(store_failures=true, meta={'dagster': {'ref': {'name': 'stg_shopify__payouts'}}}) }}
{#-
    Payout nets vs transactions, per source and month (docs/metrics.md rule 20),
    straight from the staged exports (independent of the amount-type map):
      - Amazon: the settlements' summary `total-amount` = the sum of their lines,
        by deposit month and currency;
      - Shopify Payments: the payouts file's `amount` = the sum of the `Net` of
        the transactions export's rows with that Payout Date and Currency (the
        payout's own `payout` row excluded), by payout month and currency, over
        the payouts the payouts file lists.
    One row per source, month and currency that differs, naming a file and the amount.
-#}

with

settlements as (

    select * from {{ ref('stg_amazon__settlements') }}

),

settlement_lines as (

    select * from {{ ref('stg_amazon__settlement_lines') }}

),

payouts as (

    select * from {{ ref('stg_shopify__payouts') }}

),

payment_transactions as (

    select * from {{ ref('stg_shopify__payment_transactions') }}
    where lower(type) != 'payout'

),

settlement_lines_net as (

    select
        settlement_id,
        min(_source_file) as transactions_file,
        sum({{ to_cents('amount') }}) as net_cents
    from settlement_lines
    group by settlement_id

),

amazon_months as (

    select
        'amazon_settlement' as source,
        cast({{ dbt.date_trunc('month', to_utc_date('settlements.deposit_date')) }} as date) as payout_month,
        settlements.currency as source_currency,
        min(settlements._source_file) as payout_file,
        min(settlement_lines_net.transactions_file) as transactions_file,
        sum({{ to_cents('settlements.total_amount') }}) as deposited_cents,
        sum(coalesce(settlement_lines_net.net_cents, 0)) as transactions_net_cents
    from settlements
    left join settlement_lines_net
        on settlements.settlement_id = settlement_lines_net.settlement_id
    group by
        cast({{ dbt.date_trunc('month', to_utc_date('settlements.deposit_date')) }} as date),
        settlements.currency

),

payout_keys as (

    select
        payout_date,
        currency,
        min(_source_file) as payout_file,
        sum({{ to_cents('amount') }}) as deposited_cents
    from payouts
    group by payout_date, currency

),

transaction_nets as (

    select
        payout_date,
        currency,
        min(_source_file) as transactions_file,
        sum({{ to_cents('net') }}) as net_cents
    from payment_transactions
    group by payout_date, currency

),

shopify_months as (

    select
        'shopify_payments' as source,
        cast({{ dbt.date_trunc('month', 'payout_keys.payout_date') }} as date) as payout_month,
        payout_keys.currency as source_currency,
        min(payout_keys.payout_file) as payout_file,
        min(transaction_nets.transactions_file) as transactions_file,
        sum(payout_keys.deposited_cents) as deposited_cents,
        sum(coalesce(transaction_nets.net_cents, 0)) as transactions_net_cents
    from payout_keys
    left join transaction_nets
        on
            payout_keys.payout_date = transaction_nets.payout_date
            and payout_keys.currency = transaction_nets.currency
    group by cast({{ dbt.date_trunc('month', 'payout_keys.payout_date') }} as date), payout_keys.currency

),

compared as (

    select * from amazon_months
    union all
    select * from shopify_months

)

select
    compared.*,
    (
        'payout nets vs transactions: ' || source || ' ' || cast(payout_month as {{ dbt.type_string() }})
        || ' ' || source_currency || ' deposited '
        || cast({{ from_cents('deposited_cents') }} as {{ dbt.type_string() }})
        || ' (' || payout_file || ') but the transactions net '
        || cast({{ from_cents('transactions_net_cents') }} as {{ dbt.type_string() }})
        || ' (' || coalesce(transactions_file, 'no transactions export') || '), difference '
        || cast({{ from_cents('deposited_cents - transactions_net_cents') }} as {{ dbt.type_string() }})
    ) as failure_message
from compared
where deposited_cents != transactions_net_cents
