{#-
    Amazon's prepared order lines, one row per sold line of the All Orders
    report in the channel order-lines contract (one of the
    `channel_order_line_models` that int_order_lines unions), with its
    order-dated sales amounts in integer cents of the marketplace currency
    (docs/metrics.md rules 1, 4, 5, 7, 8, 25): cancelled lines (order status
    Cancelled, quantity 0) are not sales and are left out. Once the line's
    Order rows have posted in a settlement, its sales are the settlement's
    (actuals): `gross_sales` = ItemPrice/Principal, `discounts` =
    -Promotion/Principal, `shipping_revenue` = ItemPrice/Shipping +
    ItemPrice/GiftWrap + Promotion/Shipping (the amounts the
    settlement_amount_types seed maps to those measures for transaction type
    Order). Before that they are the All Orders report's (an estimate:
    int_amazon_fees_by_line flags the unsettled line): `gross_sales` is
    `item-price` (a line total), `discounts` the `item-promotion-discount`,
    `shipping_revenue` the `shipping-price` less any `ship-promotion-discount`
    plus the `gift-wrap-price`.
    Marketplace-facilitator tax (`item-tax`) is collected and remitted by
    Amazon: outside `taxes` (the tax stays in stg_amazon__orders for
    reconciliation). EU marketplaces sell VAT-inclusive (rule 28): the VAT of
    the int_amazon_line_vat_rates rate is backed out of gross, discounts and
    shipping (amount x rate / (1 + rate) each, rounded half away from zero);
    it is `taxes` unless Amazon withholds it as deemed supplier. Amazon returns are not known to be restocked:
    `restocked_units` is 0. The channel is the `channels` seed row of platform
    `amazon` whose source_channel_value is the line's `fulfillment-channel`
    (an unknown value leaves `channel` null and fails the model's tests).
    A refund (Refund, A-to-z Guarantee Claim, Chargeback Refund: rows the
    seed maps to `refunds`) of a line the All Orders report never showed as
    sold (an order from before the data starts) is kept on a placeholder line
    (docs/metrics.md rule 27): `order_source` 'amazon_settlement_refund', the
    channel from the row's `fulfillment-id` (MFN: merchant-fulfilled, else
    FBA), the sku, marketplace and currency from the row, `order_date` its
    first refund's posted date, no units and no sales; its refund and fee rows
    give it its amounts.
-#}

with

amazon_orders as (

    select * from {{ ref('stg_amazon__orders') }}

),

channels as (

    select * from {{ ref('channels') }}
    where platform = 'amazon'

),

settlement_amounts as (

    select * from {{ ref('int_settlement_amounts_mapped') }}

),

-- The sales a settlement shows for each line whose Order rows have posted (signed as the measures).
settled_sales as (

    select
        order_line_id,
        cast(sum(case when maps_to = 'gross_sales' then amount_source_cents else 0 end) as bigint)
            as gross_sales_cents,
        cast(sum(case when maps_to = 'discounts' then -amount_source_cents else 0 end) as bigint)
            as discounts_cents,
        cast(sum(case when maps_to = 'shipping_revenue' then amount_source_cents else 0 end) as bigint)
            as shipping_revenue_cents
    from settlement_amounts
    where
        lower(transaction_type) = 'order'
        and mapping_kind = 'measure'
        and order_line_id is not null
    group by order_line_id

),

sold_lines as (

    select *
    from amazon_orders
    where
        coalesce(order_status, '') != 'Cancelled'
        and quantity > 0

),

all_orders_sales as (

    select
        cast(channels.channel as {{ dbt.type_string() }}) as channel,
        cast(sold_lines.amazon_order_id as {{ dbt.type_string() }}) as order_id,
        cast({{ dbt.concat(['sold_lines.amazon_order_id', "'-'", 'sold_lines.sku']) }} as {{ dbt.type_string() }})
            as order_line_id,
        cast('amazon_all_orders' as {{ dbt.type_string() }}) as order_source,
        cast(sold_lines.sku as {{ dbt.type_string() }}) as sku,
        cast({{ to_brand_date('sold_lines.purchase_date') }} as date) as order_date,
        cast(sold_lines.currency as {{ dbt.type_string() }}) as source_currency,
        cast(sold_lines.sales_channel as {{ dbt.type_string() }}) as marketplace,
        cast(sold_lines.ship_country as {{ dbt.type_string() }}) as shipping_country,
        cast(sold_lines.ship_service_level as {{ dbt.type_string() }}) as shipping_method,
        cast(sold_lines.ship_service_level as {{ dbt.type_string() }}) as shipping_service_level,
        cast(null as {{ dbt.type_string() }}) as payment_gateway,
        cast(sold_lines.promotion_ids as {{ dbt.type_string() }}) as promotion_codes,
        cast(null as {{ dbt.type_string() }}) as buyer_customer_key,
        false as is_cancelled,
        cast(sold_lines.quantity as bigint) as units,
        cast(0 as bigint) as restocked_units,
        coalesce(
            settled_sales.gross_sales_cents,
            {{ to_cents('coalesce(sold_lines.item_price, 0)') }}
        ) as sale_gross_cents,
        coalesce(
            settled_sales.discounts_cents,
            {{ to_cents('coalesce(sold_lines.item_promotion_discount, 0)') }}
        ) as sale_discounts_cents,
        coalesce(
            settled_sales.shipping_revenue_cents,
            {{ to_cents(
                'coalesce(sold_lines.shipping_price, 0) - coalesce(sold_lines.ship_promotion_discount, 0)'
                ~ ' + coalesce(sold_lines.gift_wrap_price, 0)'
            ) }}
        ) as sale_shipping_cents
    from sold_lines
    left join channels
        on sold_lines.fulfillment_channel = channels.source_channel_value
    left join settled_sales
        on {{ dbt.concat(['sold_lines.amazon_order_id', "'-'", 'sold_lines.sku']) }} = settled_sales.order_line_id

),

line_vat_rates as (

    select * from {{ ref('int_amazon_line_vat_rates') }}

),

-- EU marketplaces sell VAT-inclusive (rule 28): the VAT inside each amount is backed out of it; it is
-- `taxes` unless Amazon withholds it as deemed supplier (then, like US facilitator tax, outside the P&L).
all_orders_vat as (

    select
        all_orders_sales.*,
        coalesce(line_vat_rates.vat_rate_e6, 0) as vat_rate_e6,
        coalesce(line_vat_rates.is_vat_withheld, false) as is_vat_withheld
    from all_orders_sales
    left join line_vat_rates
        on all_orders_sales.order_line_id = line_vat_rates.order_line_id

),

all_orders_vat_amounts as (

    select
        all_orders_vat.*,
        {{ div_round('all_orders_vat.sale_gross_cents * all_orders_vat.vat_rate_e6', '1000000 + all_orders_vat.vat_rate_e6') }}
            as gross_vat_cents,
        {{ div_round('all_orders_vat.sale_discounts_cents * all_orders_vat.vat_rate_e6', '1000000 + all_orders_vat.vat_rate_e6') }}
            as discounts_vat_cents,
        {{ div_round('all_orders_vat.sale_shipping_cents * all_orders_vat.vat_rate_e6', '1000000 + all_orders_vat.vat_rate_e6') }}
            as shipping_vat_cents
    from all_orders_vat

),

all_orders_lines as (

    select
        channel,
        order_id,
        order_line_id,
        order_source,
        sku,
        order_date,
        source_currency,
        marketplace,
        shipping_country,
        shipping_method,
        shipping_service_level,
        payment_gateway,
        promotion_codes,
        buyer_customer_key,
        is_cancelled,
        units,
        restocked_units,
        cast(sale_gross_cents - gross_vat_cents as bigint) as gross_sales_cents,
        cast(sale_discounts_cents - discounts_vat_cents as bigint) as discounts_cents,
        cast(sale_shipping_cents - shipping_vat_cents as bigint) as shipping_revenue_cents,
        cast(
            case
                when is_vat_withheld then 0
                else gross_vat_cents - discounts_vat_cents + shipping_vat_cents
            end as bigint
        ) as taxes_cents
    from all_orders_vat_amounts

),

settlement_lines as (

    select * from {{ ref('stg_amazon__settlement_lines') }}

),

-- Lines a refund names that the All Orders report never showed as sold (docs/metrics.md rule 27).
unseen_refunded_lines as (

    select
        settlement_amounts.order_line_id,
        min(settlement_amounts.order_id) as order_id,
        min(settlement_amounts.sku) as sku,
        min(settlement_amounts.source_currency) as source_currency,
        min(settlement_amounts.marketplace_name) as marketplace,
        min(settlement_amounts.posted_date) as first_refund_date,
        -- MFN: merchant-fulfilled; AFN or no fulfillment-id: Amazon-fulfilled.
        max(case when settlement_lines.fulfillment_id = 'MFN' then 'Merchant' else 'Amazon' end)
            as fulfillment_channel
    from settlement_amounts
    left join settlement_lines
        on settlement_amounts.settlement_line_key = settlement_lines._record_key
    left join all_orders_sales
        on settlement_amounts.order_line_id = all_orders_sales.order_line_id
    where
        settlement_amounts.mapping_kind = 'measure'
        and settlement_amounts.maps_to = 'refunds'
        and lower(settlement_amounts.transaction_type) != 'order'
        and settlement_amounts.order_line_id is not null
        and all_orders_sales.order_line_id is null
    group by settlement_amounts.order_line_id

),

placeholder_lines as (

    select
        cast(channels.channel as {{ dbt.type_string() }}) as channel,
        cast(unseen_refunded_lines.order_id as {{ dbt.type_string() }}) as order_id,
        cast(unseen_refunded_lines.order_line_id as {{ dbt.type_string() }}) as order_line_id,
        cast('amazon_settlement_refund' as {{ dbt.type_string() }}) as order_source,
        cast(unseen_refunded_lines.sku as {{ dbt.type_string() }}) as sku,
        cast(unseen_refunded_lines.first_refund_date as date) as order_date,
        cast(unseen_refunded_lines.source_currency as {{ dbt.type_string() }}) as source_currency,
        cast(unseen_refunded_lines.marketplace as {{ dbt.type_string() }}) as marketplace,
        cast(null as {{ dbt.type_string() }}) as shipping_country,
        cast(null as {{ dbt.type_string() }}) as shipping_method,
        cast(null as {{ dbt.type_string() }}) as shipping_service_level,
        cast(null as {{ dbt.type_string() }}) as payment_gateway,
        cast(null as {{ dbt.type_string() }}) as promotion_codes,
        cast(null as {{ dbt.type_string() }}) as buyer_customer_key,
        false as is_cancelled,
        cast(0 as bigint) as units,
        cast(0 as bigint) as restocked_units,
        cast(0 as bigint) as gross_sales_cents,
        cast(0 as bigint) as discounts_cents,
        cast(0 as bigint) as shipping_revenue_cents,
        cast(0 as bigint) as taxes_cents
    from unseen_refunded_lines
    left join channels
        on unseen_refunded_lines.fulfillment_channel = channels.source_channel_value

),

final as (

    select * from all_orders_lines
    union all
    select * from placeholder_lines

)

select * from final
