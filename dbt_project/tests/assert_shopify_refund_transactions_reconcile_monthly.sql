{#-
    Shopify refund money per month (docs/metrics.md rule 35, issue 12 "reconciliations that catch the next
    unknown"): the Shopify Payments export's `refund` rows (-Amount), per month of their transaction date
    (brand time zone) and currency, equal the refund amounts the lines carry for the same refunds: items
    (refunds) + refunded shipping + refunded tax of
      - the Admin API refunds of orders the export charged, created up to the export's last transaction;
      - the CSV-only orders' refund events taken from the export's refund rows (rule 6).
    A refund row whose money reaches no line (an order the pipeline never saw, an adjustment kind no model
    reads) fails here. One row per month and currency that differs, with a `failure_message` naming the
    file and the amounts. The per-refund test is assert_shopify_refunds_reconcile_to_transactions.
-#}

{{ config(store_failures=true, meta={'dagster': {'ref': {'name': 'int_order_line_refunds_unioned'}}}) }}

with

payment_transactions as (

    select * from {{ ref('stg_shopify__payment_transactions') }}

),

api_refunds as (

    select * from {{ ref('stg_shopify__refunds') }}
    where order_source = 'shopify_api'

),

shopify_lines as (

    select * from {{ ref('int_shopify_order_lines_allocated') }}

),

refund_rows as (

    select * from {{ ref('int_order_line_refunds_unioned') }}

),

export_scope as (

    select
        max(transaction_at) as last_transaction_at,
        min(_source_file) as source_file,
        count(distinct _source_file) as source_files
    from payment_transactions

),

charged_orders as (

    select distinct order_name
    from payment_transactions
    where lower(type) = 'charge'

),

export_refunds as (

    select
        {{ dbt.date_trunc('month', to_brand_date('transaction_at')) }} as refund_month,
        currency,
        -sum({{ to_cents('amount') }}) as export_cents
    from payment_transactions
    where lower(type) = 'refund'
    group by 1, 2

),

-- Each refund event's money on the lines: items + refunded shipping + refunded tax.
line_events as (

    select
        refund_rows.refund_event_id,
        shopify_lines.order_id,
        shopify_lines.source_currency,
        min(refund_rows.event_date) as event_date,
        sum(case
            when refund_rows.measure = 'refunds' then refund_rows.amount_source_cents
            else -refund_rows.amount_source_cents
        end) as line_cents
    from refund_rows
    inner join shopify_lines
        on refund_rows.order_line_id = shopify_lines.order_line_id
    where
        refund_rows.refund_source in (
            'shopify_refund_line', 'shopify_refund_without_lines', 'shopify_shipping_refund', 'shopify_csv_estimate'
        )
    group by 1, 2, 3

),

in_scope as (

    -- Admin API refunds of orders the export charged, up to the export's last transaction.
    select
        line_events.event_date,
        line_events.source_currency,
        line_events.line_cents
    from line_events
    inner join api_refunds
        on
            line_events.refund_event_id
            = {{ dbt.concat(["'refund:'", 'cast(api_refunds.refund_id as ' ~ dbt.type_string() ~ ')']) }}
    inner join charged_orders
        on line_events.order_id = charged_orders.order_name
    cross join export_scope
    where api_refunds.created_at <= export_scope.last_transaction_at

    union all

    -- CSV-only orders' refund events read from the export's refund rows.
    select
        event_date,
        source_currency,
        line_cents
    from line_events
    where refund_event_id like 'payment:%'

),

line_refunds as (

    select
        {{ dbt.date_trunc('month', 'event_date') }} as refund_month,
        source_currency as currency,
        sum(line_cents) as line_cents
    from in_scope
    group by 1, 2

),

compared as (

    select
        coalesce(export_refunds.refund_month, line_refunds.refund_month) as refund_month,
        coalesce(export_refunds.currency, line_refunds.currency) as currency,
        coalesce(export_refunds.export_cents, 0) as export_cents,
        coalesce(line_refunds.line_cents, 0) as line_cents
    from export_refunds
    full outer join line_refunds
        on
            export_refunds.refund_month = line_refunds.refund_month
            and export_refunds.currency = line_refunds.currency

)

select
    compared.*,
    {{ dbt.concat([
        "'Shopify refunds of '",
        "cast(compared.refund_month as " ~ dbt.type_string() ~ ")",
        "' ('",
        "compared.currency",
        "'): payments export '",
        "coalesce(export_scope.source_file, '?')",
        "case when export_scope.source_files > 1 then ' and others' else '' end",
        "' refunds '",
        "cast(" ~ from_cents('compared.export_cents') ~ " as " ~ dbt.type_string() ~ ")",
        "' but refund lines + shipping + tax carry '",
        "cast(" ~ from_cents('compared.line_cents') ~ " as " ~ dbt.type_string() ~ ")",
    ]) }} as failure_message
from compared
cross join export_scope
where compared.export_cents != compared.line_cents
