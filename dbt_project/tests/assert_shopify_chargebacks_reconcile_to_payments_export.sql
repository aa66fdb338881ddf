{#-
    Every Shopify Payments dispute row has a home (docs/metrics.md rule 33): its
    -Amount equals the refunds - shipping - tax it puts on the order's lines, and
    its Fee the payment fees, in source cents (int_shopify_chargebacks_by_line).
    A dispute of an order without lines fails here. One row per dispute row that
    differs, with a `failure_message` naming the file, the order and the amounts.
-#}

{{ config(store_failures=true, meta={'dagster': {'ref': {'name': 'int_shopify_chargebacks_by_line'}}}) }}

with

payment_transactions as (

    select * from {{ ref('stg_shopify__payment_transactions') }}
    where lower(type) in ('{{ var("shopify_dispute_types") | join("', '") }}')

),

chargeback_rows as (

    select * from {{ ref('int_shopify_chargebacks_by_line') }}

),

carried as (

    select
        refund_event_id,
        sum(case
            when measure = 'refunds' then amount_source_cents
            when measure in ('shipping_revenue', 'taxes') then -amount_source_cents
            else 0
        end) as carried_amount_cents,
        sum(case when measure = 'payment_fees' then amount_source_cents else 0 end) as carried_fee_cents
    from chargeback_rows
    group by 1

),

compared as (

    select
        payment_transactions._source_file,
        payment_transactions.order_name,
        payment_transactions.type,
        -{{ to_cents('coalesce(payment_transactions.amount, 0)') }} as disputed_cents,
        {{ to_cents('coalesce(payment_transactions.fee, 0)') }} as fee_cents,
        coalesce(carried.carried_amount_cents, 0) as carried_amount_cents,
        coalesce(carried.carried_fee_cents, 0) as carried_fee_cents
    from payment_transactions
    left join carried
        on {{ dbt.concat(["'dispute:'", 'payment_transactions._record_key']) }} = carried.refund_event_id

)

select
    compared.*,
    {{ dbt.concat([
        "'Shopify Payments '",
        "type",
        "' row of order '",
        "coalesce(order_name, '?')",
        "' in '",
        "coalesce(_source_file, '?')",
        "': disputed '",
        "cast(" ~ from_cents('disputed_cents') ~ " as " ~ dbt.type_string() ~ ")",
        "' and fee '",
        "cast(" ~ from_cents('fee_cents') ~ " as " ~ dbt.type_string() ~ ")",
        "' but its lines carry '",
        "cast(" ~ from_cents('carried_amount_cents') ~ " as " ~ dbt.type_string() ~ ")",
        "' and '",
        "cast(" ~ from_cents('carried_fee_cents') ~ " as " ~ dbt.type_string() ~ ")",
    ]) }} as failure_message
from compared
where disputed_cents != carried_amount_cents or fee_cents != carried_fee_cents
