{#-
    Every Shopify API refund's transactions equal the money its line amounts carry
    (docs/metrics.md rule 32, metrics.md "Refunds are the money refunded"): the
    refund's successful refund transactions (`stg_shopify__refunds.amount`) =
    its items (refunds) + its refunded shipping + its refunded tax, summed over
    the refund's rows in int_order_line_refunds_unioned, in source cents. A
    refund whose money has no home (an adjustment kind nobody reads, a refund
    of an order without lines) fails here. One row per refund that differs,
    with a `failure_message` naming the refund, the order, the file and the amounts.
-#}

{{ config(store_failures=true, meta={'dagster': {'ref': {'name': 'int_order_line_refunds_unioned'}}}) }}

with

-- A voided order's cancel refund releases an authorization: its lines are refunded, no money moves (rule 21).
voided_orders as (

    select order_id
    from {{ ref('stg_shopify__orders') }}
    where lower(financial_status) = 'voided'

),

refunds as (

    select * from {{ ref('stg_shopify__refunds') }}
    where
        order_source = 'shopify_api'
        and order_id not in (select voided_orders.order_id from voided_orders)

),

refund_rows as (

    select * from {{ ref('int_order_line_refunds_unioned') }}

),

carried as (

    select
        refund_event_id,
        sum(case when measure = 'refunds' then amount_source_cents else -amount_source_cents end) as carried_cents
    from refund_rows
    where refund_source in ('shopify_refund_line', 'shopify_refund_without_lines', 'shopify_shipping_refund')
    group by 1

),

compared as (

    select
        refunds.refund_id,
        refunds.order_id as shopify_order_id,
        refunds._source_file,
        {{ to_cents('coalesce(refunds.amount, 0)') }} as transactions_cents,
        coalesce(carried.carried_cents, 0) as carried_cents
    from refunds
    left join carried
        on {{ dbt.concat(["'refund:'", 'cast(refunds.refund_id as ' ~ dbt.type_string() ~ ')']) }} = carried.refund_event_id

)

select
    compared.*,
    {{ dbt.concat([
        "'Shopify refund '",
        "cast(refund_id as " ~ dbt.type_string() ~ ")",
        "' of order '",
        "cast(shopify_order_id as " ~ dbt.type_string() ~ ")",
        "' in '",
        "coalesce(_source_file, '?')",
        "': transactions '",
        "cast(" ~ from_cents('transactions_cents') ~ " as " ~ dbt.type_string() ~ ")",
        "' but items + shipping + tax carry '",
        "cast(" ~ from_cents('carried_cents') ~ " as " ~ dbt.type_string() ~ ")",
    ]) }} as failure_message
from compared
where transactions_cents != carried_cents
