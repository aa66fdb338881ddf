{#-
    Shopify Payments disputes (chargebacks) as line amounts (docs/metrics.md rule 33; one of the
    `channel_line_amount_models`): one row per line, measure and dispute row of the payments export
    (Type in var `shopify_dispute_types`), dated by the row's transaction date (brand time zone), in
    integer cents of the shop currency.
      - a chargeback (negative Amount) is a refund of the order without lines: -Amount split
        items : shipping : tax in the order's proportions (net sales before refunds : shipping charged :
        taxes of its lines; remainder on the largest part, ties items, shipping, tax), the items part
        over the lines by net share (gross - discounts, as rule 6 splits a CSV refund event: the same
        weights at every dispute row, so a won dispute reverses its chargeback to the cent) to
        `refunds`, the shipping part by gross share off `shipping_revenue`, the tax part by taxable net
        share off `taxes`;
      - the row's Fee (the dispute fee) is `payment_fees` of the order's lines by gross share, on the
        dispute's own day;
      - a won dispute (positive Amount, negative Fee) reverses both the same way.
    A dispute of an order the pipeline never saw has no line to sit on: the payouts reconciliation
    shows it.
-#}

with

payment_transactions as (

    select * from {{ ref('stg_shopify__payment_transactions') }}

),

shopify_lines as (

    select * from {{ ref('int_shopify_order_lines_allocated') }}

),

order_parts as (

    select
        order_id,
        sum(net_before_refunds_cents) as items_weight,
        sum(shipping_revenue_cents) as shipping_weight,
        sum(taxes_cents) as tax_weight
    from shopify_lines
    group by 1

),

disputes as (

    select
        {{ dbt.concat(["'dispute:'", 'payment_transactions._record_key']) }} as refund_event_id,
        payment_transactions.order_name as order_id,
        {{ to_brand_date('payment_transactions.transaction_at') }} as event_date,
        -{{ to_cents('coalesce(payment_transactions.amount, 0)') }} as dispute_cents,
        {{ to_cents('coalesce(payment_transactions.fee, 0)') }} as fee_cents
    from payment_transactions
    inner join order_parts
        on payment_transactions.order_name = order_parts.order_id
    where lower(payment_transactions.type) in ('{{ var("shopify_dispute_types") | join("', '") }}')

),

parts as (

    {%- for part_index, part in [(0, 'items'), (1, 'shipping'), (2, 'tax')] %}
        select
            disputes.refund_event_id,
            disputes.order_id,
            disputes.event_date,
            disputes.dispute_cents,
            {{ part_index }} as part_index,
            '{{ part }}' as refund_part,
            order_parts.{{ part }}_weight as part_weight
        from disputes
        inner join order_parts
            on disputes.order_id = order_parts.order_id
        {{ 'union all' if not loop.last }}
    {%- endfor %}

),

parts_allocated as (

    {{ allocate_cents('parts', ['refund_event_id'], 'dispute_cents', 'part_weight', 'part_index', 'part_cents') }}

),

line_candidates as (

    select
        shopify_lines.order_line_id,
        parts_allocated.refund_event_id,
        parts_allocated.refund_part,
        parts_allocated.event_date,
        case
            when parts_allocated.refund_part = 'items' then parts_allocated.part_cents
            else -parts_allocated.part_cents
        end as part_cents,
        case
            when parts_allocated.refund_part = 'shipping' then shopify_lines.gross_sales_cents
            when parts_allocated.refund_part = 'tax' then shopify_lines.taxable_net_cents
            else shopify_lines.net_before_refunds_cents
        end as line_weight
    from parts_allocated
    inner join shopify_lines
        on parts_allocated.order_id = shopify_lines.order_id

),

lines_allocated as (

    {{ allocate_cents('line_candidates', ['refund_event_id', 'refund_part'], 'part_cents', 'line_weight', 'order_line_id', 'line_cents') }}

),

fee_candidates as (

    select
        shopify_lines.order_line_id,
        disputes.refund_event_id,
        disputes.event_date,
        disputes.fee_cents,
        shopify_lines.gross_sales_cents
    from disputes
    inner join shopify_lines
        on disputes.order_id = shopify_lines.order_id
    where disputes.fee_cents != 0

),

fees_allocated as (

    {{ allocate_cents('fee_candidates', ['refund_event_id'], 'fee_cents', 'gross_sales_cents', 'order_line_id', 'line_cents') }}

),

final as (

    select
        order_line_id,
        case
            when refund_part = 'items' then 'refunds'
            when refund_part = 'shipping' then 'shipping_revenue'
            else 'taxes'
        end as measure,
        event_date,
        refund_event_id,
        'shopify_chargeback' as refund_source,
        line_cents as amount_source_cents,
        false as is_estimated
    from lines_allocated

    union all

    select
        order_line_id,
        'payment_fees' as measure,
        event_date,
        refund_event_id,
        'shopify_dispute_fee' as refund_source,
        line_cents as amount_source_cents,
        false as is_estimated
    from fees_allocated

)

select * from final
