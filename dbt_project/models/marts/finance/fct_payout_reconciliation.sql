{#-
    The books close (docs/metrics.md rule 20): one row per Amazon settlement and
    per Shopify Payments payout, in the payout's own currency. What was deposited,
    what the P&L carries from it (amounts the settlement_amount_types seed maps to
    a measure of fct_financial_performance or a daily cost of fct_daily_costs,
    unmapped amounts included: they are `other_settlement_charge` /
    `other_payment_charge` daily costs), what is excluded and why, and the
    difference = deposited - carried - excluded, which must be 0
    (assert_payouts_reconcile).
      - Amazon: a settlement is its report's summary row (`total-amount`,
        deposit date) and its lines (int_settlement_amounts_mapped), from the
        winning file of the settlement.
      - Shopify Payments: a payout is a row of the payouts file (Admin API, with
        its id and deposited `amount`) and the transactions export's rows whose
        Payout Date and Currency are the payout's (the export names no payout
        id). A (payout date, currency) of the transactions with no payout row
        has no deposit yet (pending or scheduled, or the payouts file was not
        delivered): its deposited amount and difference are null and its id is
        `<payout date>|<currency>`. The payout's own `payout` transaction (API
        ledgers) is the deposit, not one of its amounts.
-#}

{#- What a settlement's or a payout's mapped amounts come to, by where they go: the same for both sources. -#}
{%- set amount_totals -%}
count(*) as amount_rows,
        sum(amount_source_cents) as transactions_net_cents,
        sum(case when mapping_kind = 'measure' then amount_source_cents else 0 end) as carried_measures_cents,
        sum(case when mapping_kind = 'daily_cost' then amount_source_cents else 0 end) as carried_daily_costs_cents,
        sum(case when not is_mapped then amount_source_cents else 0 end) as unmapped_cents,
        sum(case when mapping_kind = 'excluded' and maps_to = 'taxes' then amount_source_cents else 0 end)
            as excluded_tax_cents,
        sum(case when mapping_kind = 'excluded' and maps_to = 'reserve' then amount_source_cents else 0 end)
            as excluded_reserve_cents,
        sum(case when mapping_kind = 'excluded' and maps_to = 'transfer' then amount_source_cents else 0 end)
            as excluded_transfer_cents,
        sum(case when mapping_kind = 'excluded' and maps_to = 'ad_spend' then amount_source_cents else 0 end)
            as excluded_ad_spend_cents,
        sum(
            case
                when mapping_kind = 'excluded' and maps_to not in ('taxes', 'reserve', 'transfer', 'ad_spend')
                    then amount_source_cents
                else 0
            end
        ) as excluded_other_cents
{%- endset %}

with

settlements as (

    select * from {{ ref('stg_amazon__settlements') }}

),

settlement_amounts as (

    select * from {{ ref('int_settlement_amounts_mapped') }}

),

shopify_payouts as (

    select * from {{ ref('stg_shopify__payouts') }}

),

payment_amounts as (

    select * from {{ ref('int_payment_amounts_mapped') }}
    where lower(transaction_type) != 'payout'

),

settlement_totals as (

    select
        settlement_id,
        min(source_file) as transactions_file,
        {{ amount_totals }}
    from settlement_amounts
    group by settlement_id

),

amazon_rows as (

    select
        'amazon_settlement' as source,
        settlements.settlement_id as payout_id,
        {{ to_utc_date('settlements.deposit_date') }} as payout_date,
        settlements.currency as source_currency,
        'settled' as status,
        settlements._source_file as source_file,
        coalesce(settlement_totals.transactions_file, settlements._source_file) as transactions_file,
        {{ to_cents('settlements.total_amount') }} as deposited_cents,
        coalesce(settlement_totals.amount_rows, 0) as amount_rows,
        coalesce(settlement_totals.transactions_net_cents, 0) as transactions_net_cents,
        coalesce(settlement_totals.carried_measures_cents, 0) as carried_measures_cents,
        coalesce(settlement_totals.carried_daily_costs_cents, 0) as carried_daily_costs_cents,
        coalesce(settlement_totals.unmapped_cents, 0) as unmapped_cents,
        coalesce(settlement_totals.excluded_tax_cents, 0) as excluded_tax_cents,
        coalesce(settlement_totals.excluded_reserve_cents, 0) as excluded_reserve_cents,
        coalesce(settlement_totals.excluded_transfer_cents, 0) as excluded_transfer_cents,
        coalesce(settlement_totals.excluded_ad_spend_cents, 0) as excluded_ad_spend_cents,
        coalesce(settlement_totals.excluded_other_cents, 0) as excluded_other_cents
    from settlements
    left join settlement_totals
        on settlements.settlement_id = settlement_totals.settlement_id

),

payout_transactions as (

    select
        payout_date,
        source_currency,
        min(source_file) as transactions_file,
        max(payout_status) as payout_status,
        {{ amount_totals }}
    from payment_amounts
    where payout_date is not null
    group by payout_date, source_currency

),

-- Two payouts of one day and currency (a retried payout) share the transactions' key: summed.
payouts as (

    select
        payout_date,
        currency as source_currency,
        min(payout_id) as payout_id,
        min(status) as status,
        min(_source_file) as source_file,
        sum({{ to_cents('amount') }}) as deposited_cents
    from shopify_payouts
    group by payout_date, currency

),

shopify_rows as (

    select
        'shopify_payments' as source,
        coalesce(
            payouts.payout_id,
            cast(coalesce(payouts.payout_date, payout_transactions.payout_date) as {{ dbt.type_string() }})
            || '|' || coalesce(payouts.source_currency, payout_transactions.source_currency)
        ) as payout_id,
        coalesce(payouts.payout_date, payout_transactions.payout_date) as payout_date,
        coalesce(payouts.source_currency, payout_transactions.source_currency) as source_currency,
        coalesce(payouts.status, payout_transactions.payout_status) as status,
        payouts.source_file,
        payout_transactions.transactions_file,
        payouts.deposited_cents,
        coalesce(payout_transactions.amount_rows, 0) as amount_rows,
        coalesce(payout_transactions.transactions_net_cents, 0) as transactions_net_cents,
        coalesce(payout_transactions.carried_measures_cents, 0) as carried_measures_cents,
        coalesce(payout_transactions.carried_daily_costs_cents, 0) as carried_daily_costs_cents,
        coalesce(payout_transactions.unmapped_cents, 0) as unmapped_cents,
        coalesce(payout_transactions.excluded_tax_cents, 0) as excluded_tax_cents,
        coalesce(payout_transactions.excluded_reserve_cents, 0) as excluded_reserve_cents,
        coalesce(payout_transactions.excluded_transfer_cents, 0) as excluded_transfer_cents,
        coalesce(payout_transactions.excluded_ad_spend_cents, 0) as excluded_ad_spend_cents,
        coalesce(payout_transactions.excluded_other_cents, 0) as excluded_other_cents
    from payouts
    full outer join payout_transactions
        on
            payouts.payout_date = payout_transactions.payout_date
            and payouts.source_currency = payout_transactions.source_currency

),

unioned as (

    select * from amazon_rows
    union all
    select * from shopify_rows

),

final as (

    select
        cast(source as varchar) as source,
        cast(payout_id as varchar) as payout_id,
        cast(payout_date as date) as payout_date,
        cast(source_currency as varchar) as source_currency,
        cast(status as varchar) as status,
        cast(source_file as varchar) as source_file,
        cast(transactions_file as varchar) as transactions_file,
        cast(amount_rows as bigint) as amount_rows,
        cast({{ from_cents('deposited_cents') }} as numeric(18, 2)) as deposited_amount,
        cast({{ from_cents('transactions_net_cents') }} as numeric(18, 2)) as transactions_net_amount,
        cast({{ from_cents('carried_measures_cents') }} as numeric(18, 2)) as carried_measures_amount,
        cast({{ from_cents('carried_daily_costs_cents') }} as numeric(18, 2)) as carried_daily_costs_amount,
        cast({{ from_cents('carried_measures_cents + carried_daily_costs_cents') }} as numeric(18, 2))
            as carried_amount,
        cast({{ from_cents('unmapped_cents') }} as numeric(18, 2)) as unmapped_amount,
        cast({{ from_cents('excluded_tax_cents') }} as numeric(18, 2)) as excluded_tax_amount,
        cast({{ from_cents('excluded_reserve_cents') }} as numeric(18, 2)) as excluded_reserve_amount,
        cast({{ from_cents('excluded_transfer_cents') }} as numeric(18, 2)) as excluded_transfer_amount,
        cast({{ from_cents('excluded_ad_spend_cents') }} as numeric(18, 2)) as excluded_ad_spend_amount,
        cast({{ from_cents('excluded_other_cents') }} as numeric(18, 2)) as excluded_other_amount,
        cast(
            {{ from_cents(
                'excluded_tax_cents + excluded_reserve_cents + excluded_transfer_cents'
                ~ ' + excluded_ad_spend_cents + excluded_other_cents'
            ) }} as numeric(18, 2)
        ) as excluded_amount,
        cast(
            {{ from_cents(
                'deposited_cents - carried_measures_cents - carried_daily_costs_cents - excluded_tax_cents'
                ~ ' - excluded_reserve_cents - excluded_transfer_cents - excluded_ad_spend_cents - excluded_other_cents'
            ) }} as numeric(18, 2)
        ) as difference_amount
    from unioned

)

select * from final
