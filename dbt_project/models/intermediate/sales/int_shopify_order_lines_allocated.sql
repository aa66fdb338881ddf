{#-
    One row per Shopify order line (API lines of API orders, CSV lines of orders
    only the CSV export delivered) with its order-dated sales amounts in integer
    cents of the shop currency (docs/metrics.md rules 4, 5, 7, 8, 9):
      - gross_sales = unit price x quantity (prices are tax-exclusive here);
      - discounts: the API's `discount_allocations`; CSV: the order's item discount
        `sum(price x qty) - Subtotal` allocated by gross share;
      - shipping_revenue charged: API shipping less shipping-line discounts, CSV
        `Shipping` (after a FREESHIP code), allocated by gross share;
      - taxes: API tax lines plus the order's tax on shipping (`shipping_lines[].tax_lines`) by
        gross share like shipping (rule 34); CSV `Taxes` (shipping tax included, not split out)
        allocated over taxable lines by net share;
      - tax-inclusive prices (API `taxes_included`, or a CSV order whose Total =
        Subtotal + Shipping while Taxes > 0) have the tax backed out of gross
        sales, discounts and shipping alike (rules 36-38): the discount's tax is the
        line tax x discount / (price - discount), gross_sales = price - line tax -
        discount tax, shipping_revenue = shipping - shipping tax; a CSV order's
        Taxes is split Shipping : Subtotal first. Weights stay the prices as charged;
      - restocked_units: API refund lines with restock_type return, cancel or
        legacy_restock; CSV-only orders cancelled before they shipped restock all units.
    Allocations round half away from zero with the remainder on the largest share
    (ties: lowest order_line_id), so lines sum exactly to the order.
-#}
{#-
    Incremental by affected orders (macros/incremental.sql, landed_changed_keys): a run recomputes the whole
    orders whose order, line or refund-line rows landed since the last build (or whose delivery was retracted),
    from every visible version of them, so the API-over-CSV precedence and latest-wins still decide; an order
    whose stored customer key its landed rows no longer carry (an erased customer) is recomputed too. A
    change of `brand_timezone`, `shopify_gift_card_skus` or the customer hash salt needs `--full-refresh`.
    A table on a full build: its order and line staging views join badly on PostgreSQL when inlined.
-#}
{%- set changed_by = [
    [source('shopify', 'orders'), 'order_id'],
    [source('shopify', 'order_lines'), 'order_id'],
    [source('shopify', 'refund_lines'), 'order_id'],
] -%}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='shopify_order_id',
    on_schema_change='fail',
    post_hook="{{ delete_hidden_source_rows() }}",
) }}

with

{% if is_incremental() -%}
    changed_orders as (

        {{ affected_keys(changed_by, 'shopify_order_id') }}
        union
        -- An erased customer (ingestion/erasure.py) loses the email its stored customer_key was hashed from.
        select erased_rows.order_id as changed_key
        from {{ source('shopify', 'orders') }} as erased_rows
        inner join {{ this }} as built
            on erased_rows.order_id = built.shopify_order_id
        where erased_rows.email is null and built.customer_key is not null

    ),

{% endif -%}
orders as (

    select * from {{ ref('stg_shopify__orders') }}
    {%- if is_incremental() %}
        where order_id in (select changed_orders.changed_key from changed_orders)
    {%- endif %}

),

order_lines as (

    select * from {{ ref('stg_shopify__order_lines') }}
    {%- if is_incremental() %}
        where order_id in (select changed_orders.changed_key from changed_orders)
    {%- endif %}

),

refund_lines as (

    select * from {{ ref('stg_shopify__refund_lines') }}
    {%- if is_incremental() %}
        where order_id in (select changed_orders.changed_key from changed_orders)
    {%- endif %}

),

restocked as (

    select
        cast(line_item_id as {{ dbt.type_string() }}) as order_line_id,
        sum(quantity) as restocked_units
    from refund_lines
    where restock_type in ('return', 'cancel', 'legacy_restock')
    group by 1

),

lines_joined as (

    select
        cast(order_lines.line_id as {{ dbt.type_string() }}) as order_line_id,
        orders.order_name as order_id,
        orders.order_id as shopify_order_id,
        order_lines.line_position,
        orders.order_source,
        order_lines.sku,
        orders.created_at as ordered_at,
        {{ to_brand_date('orders.created_at') }} as order_date,
        orders.currency as source_currency,
        orders.presentment_currency,
        orders.customer_key,
        orders.cancelled_at,
        orders.fulfilled_at,
        orders.financial_status,
        orders.fulfillment_status,
        orders.discount_codes,
        orders.shipping_method,
        orders.payment_method as payment_gateway,
        orders.source_name,
        orders.shipping_country,
        orders.shipping_province,
        order_lines._source_sha256,
        order_lines.quantity as units,
        coalesce(order_lines.taxable, true) as is_taxable,
        {{ to_cents('order_lines.unit_price') }} * order_lines.quantity as line_price_cents,
        case
            when orders.order_source = 'shopify_api' then coalesce(orders.taxes_included, false)
            when {{ shopify_csv_taxes_included('orders.subtotal', 'orders.shipping', 'orders.taxes', 'orders.total') }}
                then true
            else false
        end as is_taxes_included,
        {{ to_cents('coalesce(order_lines.discount_allocated, 0)') }} as api_discounts_cents,
        {{ to_cents('coalesce(order_lines.tax, 0)') }} as api_taxes_cents,
        {{ to_cents('coalesce(orders.subtotal, 0)') }} as order_subtotal_cents,
        case
            when orders.order_source = 'shopify_api'
                then {{ to_cents('coalesce(orders.shipping, 0) - coalesce(orders.shipping_discount, 0)') }}
            else {{ to_cents('coalesce(orders.shipping, 0)') }}
        end as order_shipping_cents,
        {{ to_cents('coalesce(orders.taxes, 0)') }} as order_taxes_cents,
        {{ to_cents('coalesce(orders.shipping_tax, 0)') }} as order_api_shipping_tax_cents,
        case
            when orders.order_source = 'shopify_api' then coalesce(restocked.restocked_units, 0)
            when orders.cancelled_at is not null and orders.fulfilled_at is null then order_lines.quantity
            else 0
        end as restocked_units
    from order_lines
    inner join orders
        on order_lines.order_id = orders.order_id
    -- An equality join only (restocked units count for API orders, in the case above): a condition on
    -- the order's source in the join made DuckDB fall back to a nested-loop join (seconds at 200k lines).
    left join restocked
        on cast(order_lines.line_id as {{ dbt.type_string() }}) = restocked.order_line_id
    -- A gift card sold is a liability, not a sale (docs/metrics.md rule 22): its line stays out of every measure.
    where not coalesce(order_lines.is_gift_card, false)

),

-- Tax on shipping: the API's shipping tax lines (rule 34); a tax-inclusive CSV order's Taxes split
-- Shipping : Subtotal (rule 37); none split out of a tax-exclusive CSV order's Taxes (rule 34).
with_shipping_tax as (

    select
        lines_joined.*,
        case
            when order_source = 'shopify_api' then order_api_shipping_tax_cents
            when is_taxes_included
                then {{ shopify_csv_shipping_tax_cents('order_taxes_cents', 'order_subtotal_cents', 'order_shipping_cents') }}
            else 0
        end as order_shipping_tax_cents
    from lines_joined

),

-- The allocations run on the few columns they need (one row per line), then join back: each window pass
-- over the wide line rows cost about a second per 200k lines, and the chain makes a dozen of them.
allocation_inputs as (

    select
        order_id,
        order_line_id,
        order_source,
        is_taxable,
        line_price_cents,
        api_discounts_cents,
        api_taxes_cents,
        order_subtotal_cents,
        order_taxes_cents - order_shipping_tax_cents as order_item_taxes_cents,
        case
            when is_taxes_included then order_shipping_cents - order_shipping_tax_cents
            else order_shipping_cents
        end as order_shipping_revenue_cents,
        order_shipping_tax_cents
    from with_shipping_tax

),

-- CSV: the order's item discount is what the line prices lose to the Subtotal.
with_order_discount as (

    select
        allocation_inputs.*,
        sum(line_price_cents) over (partition by order_id) - order_subtotal_cents as order_discount_cents
    from allocation_inputs

),

csv_discount_allocated as (

    {{ allocate_cents('with_order_discount', ['order_id'], 'order_discount_cents', 'line_price_cents', 'order_line_id', 'csv_discounts_cents') }}

),

with_discounts as (

    select
        csv_discount_allocated.*,
        case
            when order_source = 'shopify_api' then api_discounts_cents
            else csv_discounts_cents
        end as discounts_cents
    from csv_discount_allocated

),

with_net as (

    select
        with_discounts.*,
        case when is_taxable then line_price_cents - discounts_cents else 0 end as taxable_net_cents
    from with_discounts

),

-- Shipping revenue excludes its tax when prices include it (rule 37).
shipping_allocated as (

    {{ allocate_cents('with_net', ['order_id'], 'order_shipping_revenue_cents', 'line_price_cents', 'order_line_id', 'shipping_revenue_cents') }}

),

-- Tax on shipping goes to lines like shipping revenue (rule 34).
shipping_tax_allocated as (

    {{ allocate_cents('shipping_allocated', ['order_id'], 'order_shipping_tax_cents', 'line_price_cents', 'order_line_id', 'shipping_tax_cents') }}

),

csv_taxes_allocated as (

    {{ allocate_cents('shipping_tax_allocated', ['order_id'], 'order_item_taxes_cents', 'taxable_net_cents', 'order_line_id', 'csv_taxes_cents') }}

),

with_taxes as (

    select
        with_shipping_tax.*,
        csv_taxes_allocated.discounts_cents,
        csv_taxes_allocated.taxable_net_cents,
        csv_taxes_allocated.shipping_revenue_cents,
        csv_taxes_allocated.shipping_tax_cents,
        case
            when with_shipping_tax.order_source = 'shopify_api' then with_shipping_tax.api_taxes_cents
            else csv_taxes_allocated.csv_taxes_cents
        end as line_taxes_cents
    from with_shipping_tax
    inner join csv_taxes_allocated
        on with_shipping_tax.order_line_id = csv_taxes_allocated.order_line_id

),

-- Tax-inclusive prices: the line's tax is on its price after discount, so the discount holds its own
-- share of tax; both come out, leaving net sales as charged less the line's tax (rule 36).
with_discount_tax as (

    select
        with_taxes.*,
        case
            when is_taxes_included then {{ discount_tax_cents('line_taxes_cents', 'discounts_cents', 'line_price_cents') }}
            else 0
        end as discount_tax_cents
    from with_taxes

),

with_gross as (

    select
        with_discount_tax.*,
        line_price_cents
        - case when is_taxes_included then line_taxes_cents + discount_tax_cents else 0 end as gross_sales_cents,
        discounts_cents - discount_tax_cents as discounts_ex_tax_cents
    from with_discount_tax

),

final as (

    select
        order_id,
        order_line_id,
        shopify_order_id,
        line_position,
        order_source,
        sku,
        ordered_at,
        order_date,
        source_currency,
        presentment_currency,
        customer_key,
        cancelled_at,
        coalesce(cancelled_at is not null, false) as is_cancelled,
        financial_status,
        fulfillment_status,
        discount_codes,
        shipping_method,
        payment_gateway,
        source_name,
        shipping_country,
        shipping_province,
        units,
        restocked_units,
        is_taxable,
        is_taxes_included,
        line_price_cents,
        gross_sales_cents,
        discounts_ex_tax_cents as discounts_cents,
        discount_tax_cents,
        gross_sales_cents - discounts_ex_tax_cents as net_before_refunds_cents,
        taxable_net_cents,
        shipping_revenue_cents,
        line_taxes_cents + shipping_tax_cents as taxes_cents,
        shipping_tax_cents,
        order_subtotal_cents,
        order_shipping_cents,
        order_taxes_cents,
        -- The delivery the line came from and the watermark of the affected-keys increment (macros/incremental.sql).
        _source_sha256,
        {% if is_incremental() -%}
            ({{ landed_through(changed_by) }})
        {%- else -%}
            (
                select max(watermark_rows._ingested_at) as landed_through
                from (
                    select orders._ingested_at from orders
                    union all
                    select order_lines._ingested_at from order_lines
                    union all
                    select refund_lines._ingested_at from refund_lines
                ) as watermark_rows
            )
        {%- endif %} as _landed_through
    from with_gross

)

select * from final
