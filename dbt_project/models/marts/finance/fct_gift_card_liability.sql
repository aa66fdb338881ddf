{#-
    Gift cards are a liability, not sales (docs/metrics.md rule 22): one row per
    day with activity and currency, in the shop currency.
      - sold: gift-card line items (API line item `gift_card`), price x quantity,
        dated by the order's creation day (brand time zone); these lines are in
        no sales measure of fct_financial_performance;
      - redeemed: successful `sale` / `capture` order transactions through the
        `gift_card` gateway, less `refund`s back onto a gift card, dated by the
        transaction (brand time zone); paying with a gift card is not a discount;
      - outstanding: the running balance sold - redeemed over the loaded data
        (cards sold before the first export are not known: the balance can dip
        below zero when they are redeemed).
-#}

with

order_lines as (

    select * from {{ ref('stg_shopify__order_lines') }}

),

orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

order_transactions as (

    select * from {{ ref('stg_shopify__order_transactions') }}

),

sold as (

    select
        {{ to_brand_date('orders.created_at') }} as activity_date,
        orders.currency as source_currency,
        sum({{ to_cents('order_lines.unit_price') }} * order_lines.quantity) as sold_cents,
        cast(0 as bigint) as redeemed_cents,
        sum(order_lines.quantity) as gift_cards_sold
    from order_lines
    inner join orders
        on order_lines.order_id = orders.order_id
    where order_lines.is_gift_card
    group by {{ to_brand_date('orders.created_at') }}, orders.currency

),

redeemed as (

    select
        {{ to_brand_date('created_at') }} as activity_date,
        currency as source_currency,
        cast(0 as bigint) as sold_cents,
        sum(
            case
                when kind in ('sale', 'capture') then {{ to_cents('amount') }}
                when kind = 'refund' then -{{ to_cents('amount') }}
                else 0
            end
        ) as redeemed_cents,
        cast(0 as bigint) as gift_cards_sold
    from order_transactions
    where lower(gateway) = 'gift_card' and status = 'success'
    group by {{ to_brand_date('created_at') }}, currency

),

daily as (

    select
        activity_date,
        source_currency,
        sum(sold_cents) as sold_cents,
        sum(redeemed_cents) as redeemed_cents,
        sum(gift_cards_sold) as gift_cards_sold
    from (
        select * from sold
        union all
        select * from redeemed
    ) as movements
    group by activity_date, source_currency

),

final as (

    select
        cast(activity_date as date) as activity_date,
        cast(source_currency as varchar) as source_currency,
        cast({{ from_cents('sold_cents') }} as numeric(18, 2)) as sold_amount,
        cast({{ from_cents('redeemed_cents') }} as numeric(18, 2)) as redeemed_amount,
        cast(
            {{ from_cents(
                'sum(sold_cents - redeemed_cents) over (partition by source_currency order by activity_date'
                ~ ' rows between unbounded preceding and current row)'
            ) }} as numeric(18, 2)
        ) as outstanding_amount,
        cast(gift_cards_sold as bigint) as gift_cards_sold
    from daily

)

select * from final
