{#-
    Every refund amount of every sold Shopify and Amazon line, dated by its own
    event (docs/metrics.md rules 3, 6, 7, 8): one row per line, measure, refund
    event and source, with the signed amount it adds to the measure, in integer
    cents of the line's source currency. One of the `channel_line_amount_models`
    that int_order_line_amounts_converted unions.
      - Shopify API (rule 32, the money refunded): a refund's item money = its refund
        lines' `subtotal` (less their tax when prices include tax) minus its
        non-shipping order adjustments (calculated - actual: a kept restocking fee
        +, a goodwill refund -), spread over its lines by subtotal, or, for a
        refund without lines, over all the order's lines by net share (gross -
        discounts - earlier refunds' items) (refunds, +); refund lines'
        `total_tax` (taxes, -) at the refund's date; shipping refunds (order adjustments of
        kind shipping_refund, negative) allocated to the order's lines by gross
        share (shipping_revenue), and the shipping tax refunded with them (their
        `tax_amount`, rule 34) the same way (taxes);
      - Shopify CSV-only orders (estimated): each refund event's items part
        allocated by net share (gross - discounts) to refunds, its shipping part
        by gross share and its tax part over taxable lines by net share, both
        subtracted from shipping_revenue and taxes;
      - Amazon: settled Refund rows at their posted date (UTC): refunds =
        -(ItemPrice/Principal + Promotion/Principal), shipping_revenue +=
        ItemPrice/Shipping + Promotion/Shipping.
-#}

with

shopify_lines as (

    select * from {{ ref('int_shopify_order_lines_allocated') }}

),

amazon_lines as (

    select * from {{ ref('int_amazon_order_lines_prepared') }}

),

refund_lines as (

    select * from {{ ref('stg_shopify__refund_lines') }}

),

refund_adjustments as (

    select * from {{ ref('stg_shopify__refund_adjustments') }}

),

csv_refund_parts as (

    select * from {{ ref('int_shopify_refund_events_estimated') }}

),

settlement_lines as (

    select * from {{ ref('stg_amazon__settlement_lines') }}

),

api_lines as (

    select * from shopify_lines
    where order_source = 'shopify_api'

),

csv_lines as (

    select * from shopify_lines
    where order_source = 'shopify_csv'

),

api_refund_lines as (

    select
        api_lines.order_line_id,
        api_lines.shopify_order_id,
        refund_lines.refund_id,
        refund_lines.created_at as refunded_at,
        {{ dbt.concat(["'refund:'", 'cast(refund_lines.refund_id as ' ~ dbt.type_string() ~ ')']) }} as refund_event_id,
        {{ to_brand_date('refund_lines.created_at') }} as event_date,
        {{ to_cents('coalesce(refund_lines.subtotal, 0)') }}
        - case
            when api_lines.is_taxes_included then {{ to_cents('coalesce(refund_lines.total_tax, 0)') }}
            else 0
        end as subtotal_cents,
        {{ to_cents('coalesce(refund_lines.total_tax, 0)') }} as total_tax_cents
    from refund_lines
    inner join api_lines
        on cast(refund_lines.line_item_id as {{ dbt.type_string() }}) = api_lines.order_line_id

),

-- Non-shipping order adjustments (refund_discrepancy: restocking fees kept, goodwill, other
-- differences), calculated minus actual: they come off the refund's item money.
api_item_adjustments as (

    select
        refund_id,
        order_id as shopify_order_id,
        min(created_at) as refunded_at,
        sum({{ to_cents('amount') }}) as adjustment_cents
    from refund_adjustments
    where coalesce(kind, '') != 'shipping_refund'
    group by 1, 2

),

api_refund_line_totals as (

    select
        refund_id,
        sum(subtotal_cents) as lines_subtotal_cents
    from api_refund_lines
    group by 1

),

-- A refund with lines: its item money (line subtotals - adjustments) by the lines' subtotals.
api_refund_items_candidates as (

    select
        api_refund_lines.order_line_id,
        api_refund_lines.shopify_order_id,
        api_refund_lines.refund_id,
        api_refund_lines.refunded_at,
        api_refund_lines.refund_event_id,
        api_refund_lines.event_date,
        api_refund_lines.subtotal_cents,
        api_refund_line_totals.lines_subtotal_cents
        - coalesce(api_item_adjustments.adjustment_cents, 0) as refund_items_cents
    from api_refund_lines
    inner join api_refund_line_totals
        on api_refund_lines.refund_id = api_refund_line_totals.refund_id
    left join api_item_adjustments
        on api_refund_lines.refund_id = api_item_adjustments.refund_id

),

api_refund_items_allocated as (

    {{ allocate_cents('api_refund_items_candidates', ['refund_id'], 'refund_items_cents', 'subtotal_cents', 'order_line_id', 'line_cents') }}

),

-- A refund without lines (a goodwill refund): -adjustments over all the order's lines by net share
-- (gross - discounts - the items of earlier refunds with lines), never below zero.
api_refunds_without_lines as (

    select api_item_adjustments.*
    from api_item_adjustments
    left join api_refund_line_totals
        on api_item_adjustments.refund_id = api_refund_line_totals.refund_id
    where api_refund_line_totals.refund_id is null

),

api_earlier_refund_items as (

    select
        api_refunds_without_lines.refund_id,
        api_refund_items_allocated.order_line_id,
        sum(api_refund_items_allocated.line_cents) as earlier_refund_cents
    from api_refunds_without_lines
    inner join api_refund_items_allocated
        on
            api_refunds_without_lines.shopify_order_id = api_refund_items_allocated.shopify_order_id
            and (
                api_refunds_without_lines.refunded_at > api_refund_items_allocated.refunded_at
                or (
                    api_refunds_without_lines.refunded_at = api_refund_items_allocated.refunded_at
                    and api_refunds_without_lines.refund_id > api_refund_items_allocated.refund_id
                )
            )
    group by 1, 2

),

api_lineless_candidates as (

    select
        api_lines.order_line_id,
        api_refunds_without_lines.refund_id,
        {{ dbt.concat(["'refund:'", 'cast(api_refunds_without_lines.refund_id as ' ~ dbt.type_string() ~ ')']) }}
            as refund_event_id,
        {{ to_brand_date('api_refunds_without_lines.refunded_at') }} as event_date,
        -api_refunds_without_lines.adjustment_cents as refund_items_cents,
        case
            when api_lines.net_before_refunds_cents - coalesce(api_earlier_refund_items.earlier_refund_cents, 0) > 0
                then api_lines.net_before_refunds_cents - coalesce(api_earlier_refund_items.earlier_refund_cents, 0)
            else 0
        end as line_weight
    from api_refunds_without_lines
    inner join api_lines
        on api_refunds_without_lines.shopify_order_id = api_lines.shopify_order_id
    left join api_earlier_refund_items
        on
            api_refunds_without_lines.refund_id = api_earlier_refund_items.refund_id
            and api_lines.order_line_id = api_earlier_refund_items.order_line_id
    where api_refunds_without_lines.adjustment_cents != 0

),

api_lineless_allocated as (

    {{ allocate_cents('api_lineless_candidates', ['refund_id'], 'refund_items_cents', 'line_weight', 'order_line_id', 'line_cents') }}

),

api_shipping_refund_events as (

    select
        refund_id,
        order_id as shopify_order_id,
        min(created_at) as refunded_at,
        sum({{ to_cents('amount') }}) as shipping_refund_cents,
        -- the shipping tax refunded with it (negative), rule 34
        sum({{ to_cents('coalesce(tax_amount, 0)') }}) as shipping_tax_refund_cents
    from refund_adjustments
    where kind = 'shipping_refund'
    group by 1, 2

),

api_shipping_refund_candidates as (

    select
        api_lines.order_line_id,
        api_lines.gross_sales_cents,
        {{ dbt.concat(["'refund:'", 'cast(api_shipping_refund_events.refund_id as ' ~ dbt.type_string() ~ ')']) }}
            as refund_event_id,
        {{ to_brand_date('api_shipping_refund_events.refunded_at') }} as event_date,
        api_shipping_refund_events.shipping_refund_cents,
        api_shipping_refund_events.shipping_tax_refund_cents
    from api_shipping_refund_events
    inner join api_lines
        on api_shipping_refund_events.shopify_order_id = api_lines.shopify_order_id
    where
        api_shipping_refund_events.shipping_refund_cents != 0
        or api_shipping_refund_events.shipping_tax_refund_cents != 0

),

api_shipping_refunds_allocated as (

    {{ allocate_cents('api_shipping_refund_candidates', ['refund_event_id'], 'shipping_refund_cents', 'gross_sales_cents', 'order_line_id', 'line_cents') }}

),

api_shipping_tax_refunds_allocated as (

    {{ allocate_cents('api_shipping_refund_candidates', ['refund_event_id'], 'shipping_tax_refund_cents', 'gross_sales_cents', 'order_line_id', 'line_cents') }}

),

csv_refund_candidates as (

    select
        csv_lines.order_line_id,
        csv_refund_parts.refund_event_id,
        csv_refund_parts.refund_part,
        csv_refund_parts.event_date,
        case
            when csv_refund_parts.refund_part = 'items' then csv_refund_parts.part_cents
            else -csv_refund_parts.part_cents
        end as part_cents,
        case
            when csv_refund_parts.refund_part = 'items' then csv_lines.net_before_refunds_cents
            when csv_refund_parts.refund_part = 'shipping' then csv_lines.gross_sales_cents
            else csv_lines.taxable_net_cents
        end as line_weight
    from csv_refund_parts
    inner join csv_lines
        on csv_refund_parts.shopify_order_id = csv_lines.shopify_order_id

),

csv_refunds_allocated as (

    {{ allocate_cents('csv_refund_candidates', ['refund_event_id', 'refund_part'], 'part_cents', 'line_weight', 'order_line_id', 'line_cents') }}

),

amazon_refund_rows as (

    select
        amazon_lines.order_line_id,
        {{ dbt.concat(["'settlement:'", 'settlement_lines.settlement_id']) }} as refund_event_id,
        settlement_lines.posted_date as event_date,
        settlement_lines.amount_description,
        {{ to_cents('settlement_lines.amount') }} as amount_cents
    from settlement_lines
    inner join amazon_lines
        on
            settlement_lines.order_id = amazon_lines.order_id
            and settlement_lines.sku = amazon_lines.sku
    where
        settlement_lines.transaction_type = 'Refund'
        and settlement_lines.amount_type in ('ItemPrice', 'Promotion')
        and settlement_lines.amount_description in ('Principal', 'Shipping')

),

final as (

    select
        order_line_id,
        'refunds' as measure,
        event_date,
        refund_event_id,
        'shopify_refund_line' as refund_source,
        line_cents as amount_source_cents,
        false as is_estimated
    from api_refund_items_allocated

    union all

    select
        order_line_id,
        'refunds' as measure,
        event_date,
        refund_event_id,
        'shopify_refund_without_lines' as refund_source,
        line_cents as amount_source_cents,
        false as is_estimated
    from api_lineless_allocated

    union all

    select
        order_line_id,
        'taxes' as measure,
        event_date,
        refund_event_id,
        'shopify_refund_line' as refund_source,
        -total_tax_cents as amount_source_cents,
        false as is_estimated
    from api_refund_lines

    union all

    select
        order_line_id,
        'shipping_revenue' as measure,
        event_date,
        refund_event_id,
        'shopify_shipping_refund' as refund_source,
        line_cents as amount_source_cents,
        false as is_estimated
    from api_shipping_refunds_allocated

    union all

    select
        order_line_id,
        'taxes' as measure,
        event_date,
        refund_event_id,
        'shopify_shipping_refund' as refund_source,
        line_cents as amount_source_cents,
        false as is_estimated
    from api_shipping_tax_refunds_allocated
    where line_cents != 0

    union all

    select
        order_line_id,
        case
            when refund_part = 'items' then 'refunds'
            when refund_part = 'shipping' then 'shipping_revenue'
            else 'taxes'
        end as measure,
        event_date,
        refund_event_id,
        'shopify_csv_estimate' as refund_source,
        line_cents as amount_source_cents,
        true as is_estimated
    from csv_refunds_allocated

    union all

    select
        order_line_id,
        case when amount_description = 'Principal' then 'refunds' else 'shipping_revenue' end as measure,
        event_date,
        refund_event_id,
        'amazon_settlement' as refund_source,
        case when amount_description = 'Principal' then -amount_cents else amount_cents end as amount_source_cents,
        false as is_estimated
    from amazon_refund_rows

)

select * from final
