{#-
    Etsy's line amounts (docs/metrics.md rule 18; one of the `channel_line_amount_models`):
    the statement rows that name an order ("Order #<id>") and are a P&L amount,
    summed per order, kind and statement date (costs positive: the statement's
    Net negated, credits negative), split over the order's lines in integer cents
    (rule 14) and dated by the statement row (cash view):
      - refund to buyer: up to what is left of the order's items (gross -
        discounts, after its earlier refunds) it refunds items (`refunds`, by net
        share); the rest refunds shipping (`shipping_revenue` reduced, by gross
        share);
      - transaction fees (item and shipping, and their credits): `marketplace_fees`
        by gross share; processing fees: `payment_fees` by gross share;
      - shipping labels: `shipping_cost`, the order's labels summed and dated by
        the first one, by units.
    Offsite Ads fees are ad spend (int_etsy_offsite_ads_by_line); listing fees and
    Etsy Ads are daily costs (int_etsy_daily_costs).
-#}

with

statement_lines as (

    select * from {{ ref('stg_etsy__statement_lines') }}

),

order_lines as (

    select * from {{ ref('int_etsy_order_lines_prepared') }}

),

order_events as (

    select
        order_id,
        statement_kind,
        statement_date as event_date,
        -sum({{ to_cents('net') }}) as cost_cents
    from statement_lines
    where
        order_id is not null
        and statement_kind in ('refunds', 'marketplace_fees', 'payment_fees', 'shipping_cost')
    group by order_id, statement_kind, statement_date

),

order_items_net as (

    select
        order_id,
        sum(gross_sales_cents - discounts_cents) as items_net_cents
    from order_lines
    group by order_id

),

-- Each refund refunds items up to what the order's earlier refunds left of them; the rest is shipping.
refund_parts as (

    select
        order_id,
        event_date,
        least(cost_cents, greatest(items_net_cents - refunded_before_cents, 0)) as items_cents,
        cost_cents - least(cost_cents, greatest(items_net_cents - refunded_before_cents, 0)) as shipping_cents
    from (
        select
            order_events.order_id,
            order_events.event_date,
            order_events.cost_cents,
            order_items_net.items_net_cents,
            coalesce(sum(order_events.cost_cents) over (
                partition by order_events.order_id
                order by order_events.event_date
                rows between unbounded preceding and 1 preceding
            ), 0) as refunded_before_cents
        from order_events
        inner join order_items_net
            on order_events.order_id = order_items_net.order_id
        where order_events.statement_kind = 'refunds'
    ) as refunds_in_order

),

label_orders as (

    select
        order_id,
        min(event_date) as event_date,
        sum(cost_cents) as cost_cents
    from order_events
    where statement_kind = 'shipping_cost'
    group by order_id

),

candidates as (

    select
        'refunds' as measure,
        refund_parts.order_id,
        refund_parts.event_date,
        refund_parts.items_cents as event_cents,
        order_lines.order_line_id,
        order_lines.gross_sales_cents - order_lines.discounts_cents as weight
    from refund_parts
    inner join order_lines
        on refund_parts.order_id = order_lines.order_id

    union all

    select
        'shipping_revenue' as measure,
        refund_parts.order_id,
        refund_parts.event_date,
        -refund_parts.shipping_cents as event_cents,
        order_lines.order_line_id,
        order_lines.gross_sales_cents as weight
    from refund_parts
    inner join order_lines
        on refund_parts.order_id = order_lines.order_id

    union all

    select
        order_events.statement_kind as measure,
        order_events.order_id,
        order_events.event_date,
        order_events.cost_cents as event_cents,
        order_lines.order_line_id,
        order_lines.gross_sales_cents as weight
    from order_events
    inner join order_lines
        on order_events.order_id = order_lines.order_id
    where order_events.statement_kind in ('marketplace_fees', 'payment_fees')

    union all

    select
        'shipping_cost' as measure,
        label_orders.order_id,
        label_orders.event_date,
        label_orders.cost_cents as event_cents,
        order_lines.order_line_id,
        order_lines.units as weight
    from label_orders
    inner join order_lines
        on label_orders.order_id = order_lines.order_id

),

allocated as (

    {{ allocate_cents(
        'candidates', ['measure', 'order_id', 'event_date'], 'event_cents', 'weight', 'order_line_id', 'line_cents'
    ) }}

),

final as (

    select
        order_line_id,
        measure,
        event_date,
        cast(line_cents as bigint) as amount_source_cents,
        false as is_estimated
    from allocated

)

select * from final
