{#-
    Refund events of Shopify orders only the CSV export delivered (the export has
    no refund lines), each split into its items, shipping and tax parts
    (docs/metrics.md rule 6, metrics.md `refunds`): one row per event and part.
      - events: the Shopify Payments export's `refund` rows of the order, dated by
        their transaction time in the brand's time zone; what `Refunded Amount`
        holds beyond them (a PayPal order, a refund after the export) is one more
        event dated at `Cancelled at`, else at the order date;
      - parts: the event amount split Subtotal : Shipping : Taxes of the order,
        rounded half away from zero, the remainder on the largest part (ties:
        items, shipping, tax); when prices include tax, Subtotal and Shipping
        without their tax (the order's Taxes split Shipping : Subtotal, rule 37).
    Every part is an estimate (`is_estimated`).
-#}

with

orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

payment_transactions as (

    select * from {{ ref('stg_shopify__payment_transactions') }}

),

csv_orders_charged as (

    select
        order_id as shopify_order_id,
        order_name as order_id,
        {{ to_brand_date('created_at') }} as order_date,
        cancelled_at,
        {{ to_cents('coalesce(refunded_amount, 0)') }} as refunded_cents,
        {{ shopify_csv_taxes_included('subtotal', 'shipping', 'taxes', 'total') }} as is_taxes_included,
        {{ to_cents('coalesce(subtotal, 0)') }} as subtotal_charged_cents,
        {{ to_cents('coalesce(shipping, 0)') }} as shipping_charged_cents,
        {{ to_cents('coalesce(taxes, 0)') }} as taxes_cents
    from orders
    where order_source = 'shopify_csv'

),

-- Tax-inclusive prices: the items and shipping parts exclude their tax (rule 37).
csv_orders_with_shipping_tax as (

    select
        csv_orders_charged.*,
        case
            when is_taxes_included
                then {{ shopify_csv_shipping_tax_cents('taxes_cents', 'subtotal_charged_cents', 'shipping_charged_cents') }}
            else 0
        end as shipping_tax_cents
    from csv_orders_charged

),

csv_orders as (

    select
        shopify_order_id,
        order_id,
        order_date,
        cancelled_at,
        refunded_cents,
        taxes_cents,
        case
            when is_taxes_included then subtotal_charged_cents - (taxes_cents - shipping_tax_cents)
            else subtotal_charged_cents
        end as subtotal_cents,
        shipping_charged_cents - shipping_tax_cents as shipping_cents
    from csv_orders_with_shipping_tax

),

payment_refunds as (

    select
        {{ dbt.concat(["'payment:'", 'payment_transactions._record_key']) }} as refund_event_id,
        csv_orders.shopify_order_id,
        'payments_export' as event_source,
        {{ to_brand_date('payment_transactions.transaction_at') }} as event_date,
        -{{ to_cents('payment_transactions.amount') }} as refund_cents
    from payment_transactions
    inner join csv_orders
        on payment_transactions.order_name = csv_orders.order_id
    where payment_transactions.type = 'refund'

),

paid_back as (

    select
        shopify_order_id,
        sum(refund_cents) as paid_back_cents
    from payment_refunds
    group by 1

),

-- What `Refunded Amount` holds beyond the payments export's refunds.
refunded_amount_rest as (

    select
        {{ dbt.concat(["'refunded_amount:'", 'cast(csv_orders.shopify_order_id as ' ~ dbt.type_string() ~ ')']) }}
            as refund_event_id,
        csv_orders.shopify_order_id,
        'refunded_amount' as event_source,
        case
            when csv_orders.cancelled_at is not null then {{ to_brand_date('csv_orders.cancelled_at') }}
            else csv_orders.order_date
        end as event_date,
        csv_orders.refunded_cents - coalesce(paid_back.paid_back_cents, 0) as refund_cents
    from csv_orders
    left join paid_back
        on csv_orders.shopify_order_id = paid_back.shopify_order_id
    where csv_orders.refunded_cents - coalesce(paid_back.paid_back_cents, 0) > 0

),

events as (

    select * from payment_refunds
    union all
    select * from refunded_amount_rest

),

parts as (

    {%- for part_index, part, weight in [(0, 'items', 'subtotal_cents'), (1, 'shipping', 'shipping_cents'), (2, 'tax', 'taxes_cents')] %}
        select
            events.refund_event_id,
            events.shopify_order_id,
            csv_orders.order_id,
            events.event_source,
            events.event_date,
            events.refund_cents,
            {{ part_index }} as part_index,
            '{{ part }}' as refund_part,
            csv_orders.{{ weight }} as part_weight
        from events
        inner join csv_orders
            on events.shopify_order_id = csv_orders.shopify_order_id
        {{ 'union all' if not loop.last }}
    {%- endfor %}

),

parts_allocated as (

    {{ allocate_cents('parts', ['refund_event_id'], 'refund_cents', 'part_weight', 'part_index', 'part_cents') }}

),

final as (

    select
        refund_event_id,
        shopify_order_id,
        order_id,
        event_source,
        event_date,
        refund_cents as event_refund_cents,
        refund_part,
        part_index,
        part_cents,
        true as is_estimated
    from parts_allocated

)

select * from final
