{{ config(materialized='table') }}

{#-
    Every carrier invoice row, matched to an order on the normalised reference
    (docs/metrics.md rule 12): trimmed, leading '#' removed, and an all-digit reference
    prefixed with '#' again, so '#1001', '1001' and ' #1001 ' all match Shopify
    order #1001; Amazon order ids match as they are. Each row gets a
    `disposition`:
      - `return_shipping`: the service contains "Return" (a return label);
      - `shipment`: every other row of an order the brand ships
        (int_shipping_orders.is_shippable): a parcel of a split shipment, the
        only parcel, or a charge on a parcel (address correction) all belong to
        the order (contract v2). A row whose tracking number is a fulfillment's
        of that order (Shopify API fulfillments) carries its `fulfillment_id`:
        its cost goes to that fulfillment's lines; otherwise to all the order's
        lines that need shipping;
      - `unallocated_shipping`: rows of orders the brand does not ship (FBA,
        cancelled, pickup) and rows that match no order (the unassigned cost
        channel, e.g. influencer samples).
    Return and unallocated rows are daily costs on the order's channel.
    Labels bought through Amazon Buy Shipping (settlement amounts the
    settlement_amount_types seed maps to `shipping_cost`: PostageBilling_*) are
    rows of this model too (`label_source` amazon_buy_shipping, platform
    amazon, dated by the posted date, negated to a cost): the actual shipping
    cost of their order, replacing the estimate; one without an order id (or of
    an order the brand does not ship) is `unallocated_shipping`. Shopify
    Shipping labels (the Shopify bill export's shipping charges, naming their
    order) are rows too (`label_source` shopify_shipping, platform shopify,
    dated by the charge date); a return label among them is return_shipping.
-#}

with

carrier_invoices as (

    select * from {{ ref('stg_brand__carrier_invoices') }}

),

settlement_amounts as (

    select * from {{ ref('int_settlement_amounts_mapped') }}

),

billing_charges as (

    select * from {{ ref('stg_shopify__billing_charges') }}

),

orders as (

    select * from {{ ref('int_shipping_orders') }}

),

fulfillment_lines as (

    select * from {{ ref('stg_shopify__fulfillment_lines') }}

),

shopify_orders as (

    select
        order_id,
        order_name
    from {{ ref('stg_shopify__orders') }}

),

-- A parcel's fulfillment: the order's fulfillment with the invoice row's tracking number.
fulfillment_parcels as (

    select
        shopify_orders.order_name as order_id,
        fulfillment_lines.tracking_number,
        min(fulfillment_lines.fulfillment_id) as fulfillment_id
    from fulfillment_lines
    inner join shopify_orders
        on fulfillment_lines.order_id = shopify_orders.order_id
    where fulfillment_lines.tracking_number is not null
    group by shopify_orders.order_name, fulfillment_lines.tracking_number

),

unassigned_channel as (

    select channel
    from {{ ref('channels') }}
    where is_unassigned

),

normalised as (

    select
        _record_key as invoice_key,
        'carrier_invoice' as label_source,
        'carrier' as platform,
        tracking_number,
        service,
        order_reference,
        ship_date,
        currency as source_currency,
        {{ to_cents('cost') }} as cost_source_cents,
        ltrim(trim(order_reference), '#') as stripped_reference,
        lower(service) like '%return%' as is_return
    from carrier_invoices

    union all

    -- Amazon Buy Shipping labels: settlement amounts (negative: charged) as costs of their order.
    select
        settlement_line_key as invoice_key,
        'amazon_buy_shipping' as label_source,
        'amazon' as platform,
        cast(null as {{ dbt.type_string() }}) as tracking_number,
        amount_description as service,
        order_id as order_reference,
        posted_date as ship_date,
        source_currency,
        -amount_source_cents as cost_source_cents,
        trim(order_id) as stripped_reference,
        false as is_return
    from settlement_amounts
    where mapping_kind = 'measure' and maps_to = 'shipping_cost'

    union all

    -- Shopify Shipping labels on the Shopify bill (charges positive, credits negative).
    select
        _record_key as invoice_key,
        'shopify_shipping' as label_source,
        'shopify' as platform,
        cast(null as {{ dbt.type_string() }}) as tracking_number,
        description as service,
        order_name as order_reference,
        charged_on as ship_date,
        currency as source_currency,
        {{ to_cents('amount') }} as cost_source_cents,
        ltrim(trim(order_name), '#') as stripped_reference,
        coalesce(lower(description) like '%return%', false) as is_return
    from billing_charges
    where is_shipping_label

),

referenced as (

    select
        normalised.*,
        case
            when stripped_reference != '' and ltrim(stripped_reference, '0123456789') = ''
                then '#' || stripped_reference
            else stripped_reference
        end as order_key
    from normalised

),

final as (

    select
        referenced.invoice_key,
        referenced.label_source,
        referenced.platform,
        referenced.tracking_number,
        referenced.service,
        referenced.order_reference,
        referenced.order_key,
        orders.order_id,
        coalesce(orders.channel, (select unassigned_channel.channel from unassigned_channel)) as channel,
        referenced.ship_date,
        referenced.source_currency,
        referenced.cost_source_cents,
        {{ from_cents('referenced.cost_source_cents') }} as cost_source,
        referenced.is_return,
        case
            when not referenced.is_return and orders.is_shippable then fulfillment_parcels.fulfillment_id
        end as fulfillment_id,
        case
            when referenced.is_return then 'return_shipping'
            when orders.is_shippable then 'shipment'
            else 'unallocated_shipping'
        end as disposition
    from referenced
    left join orders
        on referenced.order_key = orders.order_id
    left join fulfillment_parcels
        on
            orders.order_id = fulfillment_parcels.order_id
            and referenced.tracking_number = fulfillment_parcels.tracking_number

)

select * from final
