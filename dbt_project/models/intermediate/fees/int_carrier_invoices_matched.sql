{{ config(materialized='table') }}

{#-
    Every carrier invoice row, matched to an order on the normalised reference
    (docs/metrics.md rule 12): trimmed, leading '#' removed, and an all-digit reference
    prefixed with '#' again, so '#1001', '1001' and ' #1001 ' all match Shopify
    order #1001; Amazon order ids match as they are. Each row gets a
    `disposition`:
      - `return_shipping`: the service contains "Return" (a return label);
      - `shipment`: the first other row of the reference (by ship date, then
        tracking number) when the order is one the brand ships (its channel's
        shipping_cost_rule is `carrier_invoices`, not cancelled): the order's
        shipping cost, allocated to its lines;
      - `unallocated_shipping`: later rows (address corrections and other
        adjustments), rows of orders the brand does not ship, and rows that
        match no order (the unassigned cost channel, e.g. influencer samples).
    Return and unallocated rows are daily costs on the order's channel.
-#}

with

carrier_invoices as (

    select * from {{ ref('stg_brand__carrier_invoices') }}

),

orders as (

    select * from {{ ref('int_shipping_orders') }}

),

unassigned_channel as (

    select channel
    from {{ ref('channels') }}
    where is_unassigned

),

normalised as (

    select
        tracking_number,
        service,
        order_reference,
        ship_date,
        currency as source_currency,
        {{ to_cents('cost') }} as cost_source_cents,
        ltrim(trim(order_reference), '#') as stripped_reference,
        lower(service) like '%return%' as is_return
    from carrier_invoices

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

ranked as (

    select
        referenced.*,
        row_number() over (
            partition by referenced.order_key, referenced.is_return
            order by referenced.ship_date, referenced.tracking_number
        ) as reference_row_number
    from referenced

),

final as (

    select
        ranked.tracking_number,
        ranked.service,
        ranked.order_reference,
        ranked.order_key,
        orders.order_id,
        coalesce(orders.channel, (select unassigned_channel.channel from unassigned_channel)) as channel,
        ranked.ship_date,
        ranked.source_currency,
        ranked.cost_source_cents,
        {{ from_cents('ranked.cost_source_cents') }} as cost_source,
        ranked.is_return,
        case
            when ranked.is_return then 'return_shipping'
            when ranked.reference_row_number = 1 and orders.is_shippable then 'shipment'
            else 'unallocated_shipping'
        end as disposition
    from ranked
    left join orders
        on ranked.order_key = orders.order_id

)

select * from final
