-- Redshift: lines join lines on order_line_id, so they share its distribution.
{{ config(materialized='table', dist='order_line_id', sort='payment_fee_date') }}

{#-
    Payment processing fees per order line (every line of int_order_lines), on
    the lines of channels whose `channels` seed payment_fee_rule is
    `shopify_payments` (docs/metrics.md rule 10); 0 on other lines (Amazon's selling fees
    are marketplace fees; a `statement` channel's fees are its line amounts, in
    int_order_line_amounts_converted):
      - actual: the sum of `fee` over the order's rows in the Shopify Payments
        export that the settlement_amount_types seed maps to payment_fees
        (charges, and refunds whose fee is always 0: fees are not returned;
        int_payment_amounts_mapped), dated by the order's first transaction
        (brand time zone);
      - estimate, for an order the export does not show: round(total x
        percent_rate) + fixed_fee from the payment_plan_rates seed by gateway,
        dated by the order date; an unknown gateway estimates 0;
    either way allocated to the order's lines by gross_sales share (remainder to
    the largest line, ties the lowest order_line_id), converted at the fee date.
-#}

with

order_lines as (

    select
        order_line_id,
        order_id,
        channel,
        order_date,
        source_currency,
        gross_sales_source_cents
    from {{ ref('int_order_lines') }}

),

shopify_payments_channels as (

    select channel
    from {{ ref('channels') }}
    where payment_fee_rule = 'shopify_payments'

),

shopify_orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

payment_amounts as (

    select * from {{ ref('int_payment_amounts_mapped') }}

),

plan_rates as (

    select * from {{ ref('payment_plan_rates') }}

),

fx_rates as (

    select * from {{ ref('int_fx_rates_daily') }}

),

-- The fees the seed maps to payment_fees (a fee of a type it does not know is an other_payment_charge cost).
actual_fees as (

    select
        order_name,
        sum(
            case
                when mapping_kind = 'measure' and maps_to = 'payment_fees' then -amount_source_cents
                else 0
            end
        ) as fee_cents,
        min(transaction_date) as first_transaction_date
    from payment_amounts
    where order_name is not null
    group by order_name

),

-- The gateway as the rate card names it: the API's gateway name, or the CSV's display name.
orders as (

    select
        order_name,
        {{ to_cents('total') }} as total_cents,
        case
            when lower(payment_method) like '%paypal%' then 'paypal'
            else replace(lower(trim(payment_method)), ' ', '_')
        end as gateway
    from shopify_orders

),

order_dates as (

    select
        order_id,
        min(order_date) as order_date
    from order_lines
    where channel in (select shopify_payments_channels.channel from shopify_payments_channels)
    group by order_id

),

order_fees as (

    select
        order_dates.order_id,
        actual_fees.fee_cents is null as is_payment_fee_estimated,
        coalesce(
            actual_fees.fee_cents,
            {{ div_round(
                'orders.total_cents * cast(round(plan_rates.percent_rate * 1000000, 0) as bigint)',
                '1000000'
            ) }}
            + {{ to_cents('plan_rates.fixed_fee') }},
            0
        ) as payment_fee_cents,
        coalesce(actual_fees.first_transaction_date, order_dates.order_date) as payment_fee_date
    from order_dates
    left join orders
        on order_dates.order_id = orders.order_name
    left join actual_fees
        on order_dates.order_id = actual_fees.order_name
    left join plan_rates
        on orders.gateway = plan_rates.gateway

),

shopify_lines as (

    select
        order_lines.order_line_id,
        order_lines.order_id,
        order_lines.gross_sales_source_cents,
        order_fees.payment_fee_cents,
        order_fees.payment_fee_date,
        order_fees.is_payment_fee_estimated
    from order_lines
    inner join order_fees
        on order_lines.order_id = order_fees.order_id
    where order_lines.channel in (select shopify_payments_channels.channel from shopify_payments_channels)

),

allocated as (

    {{ allocate_cents(
        'shopify_lines', ['order_id'], 'payment_fee_cents', 'gross_sales_source_cents',
        'order_line_id', 'payment_fees_source_cents'
    ) }}

),

line_fees as (

    select
        order_lines.order_line_id,
        order_lines.order_id,
        order_lines.channel,
        order_lines.source_currency,
        coalesce(allocated.payment_fee_date, order_lines.order_date) as payment_fee_date,
        cast(coalesce(allocated.payment_fees_source_cents, 0) as bigint) as payment_fees_source_cents,
        coalesce(allocated.is_payment_fee_estimated, false) as is_payment_fee_estimated
    from order_lines
    left join allocated
        on order_lines.order_line_id = allocated.order_line_id

),

-- A zero fee needs no rate; any other fee without a rate stays null (and fails the not_null test).
converted as (

    select
        line_fees.*,
        fx_rates.rate_e6 as payment_fee_rate_e6,
        case
            when line_fees.payment_fees_source_cents = 0 then cast(0 as bigint)
            else {{ convert_cents('line_fees.payment_fees_source_cents', 'fx_rates.rate_e6') }}
        end as payment_fees_cents
    from line_fees
    left join fx_rates
        on
            line_fees.payment_fee_date = fx_rates.rate_date
            and line_fees.source_currency = fx_rates.currency

),

final as (

    select
        order_line_id,
        order_id,
        channel,
        source_currency,
        payment_fee_date,
        payment_fee_rate_e6,
        payment_fees_source_cents,
        payment_fees_cents,
        {{ from_cents('payment_fees_source_cents') }} as payment_fees_source,
        {{ from_cents('payment_fees_cents') }} as payment_fees,
        is_payment_fee_estimated
    from converted

)

select * from final
