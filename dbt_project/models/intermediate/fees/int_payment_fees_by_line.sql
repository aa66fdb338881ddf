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
      - estimate, for an order the export does not show (docs/metrics.md rule 21):
        only for a captured payment: an order whose financial status is
        authorized, pending, voided or expired, or that is paid only through
        tenders the payment_plan_rates seed charges nothing for (gift_card,
        manual), gets 0, not an estimate. Otherwise round(captured part x
        percent_rate) + fixed_fee of the first rated tender (split tender: the
        part that gateway captured, from the order transactions when delivered,
        else the total), the fixed fee converted from the seed's currency into
        the order's at the order date; dated by the order date; an unknown
        gateway estimates 0;
        dispute rows (var `shopify_dispute_types`) are not the order's fee: their
        dispute fee is a payment fee of its own day (rule 33,
        int_shopify_chargebacks_by_line);
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
    where
        order_name is not null
        -- disputes are chargebacks with their own fee day (rule 33, int_shopify_chargebacks_by_line)
        and lower(transaction_type) not in ('{{ var("shopify_dispute_types") | join("', '") }}')
    group by order_name

),

order_transactions as (

    select * from {{ ref('stg_shopify__order_transactions') }}

),

-- The order's tenders as the rate card names them: the API's gateway names (joined by ','), or the CSV's
-- display names (joined by ' + '); at most three per order.
orders as (

    select
        order_name,
        order_id as shopify_order_id,
        {{ to_cents('total') }} as total_cents,
        lower(coalesce(financial_status, '')) as financial_status,
        replace(lower(trim(coalesce(payment_method, ''))), ' + ', ',') as payment_methods
    from shopify_orders

),

tender_methods as (

    {%- for position in [1, 2, 3] %}
        select
            order_name,
            {{ position }} as tender_position,
            trim(split_part(payment_methods, ',', {{ position }})) as method
        from orders
        {{ 'union all' if not loop.last }}
    {%- endfor %}

),

tenders as (

    select
        tender_methods.order_name,
        tender_methods.tender_position,
        plan_rates.gateway as plan_gateway,
        plan_rates.percent_rate,
        plan_rates.fixed_fee,
        plan_rates.currency as fee_currency,
        coalesce(plan_rates.percent_rate > 0 or plan_rates.fixed_fee > 0, false) as is_rated,
        plan_rates.gateway is not null and plan_rates.percent_rate = 0 and plan_rates.fixed_fee = 0 as is_free
    from tender_methods
    left join plan_rates
        on
            case
                when tender_methods.method like '%paypal%' then 'paypal'
                else replace(tender_methods.method, ' ', '_')
            end = plan_rates.gateway
    where tender_methods.method != ''

),

-- The rated gateway: the first tender the rate card charges for.
rated_tenders as (

    select
        order_name,
        plan_gateway,
        percent_rate,
        fixed_fee,
        fee_currency,
        row_number() over (partition by order_name order by tender_position) as rated_rank
    from tenders
    where is_rated

),

-- Paid only through tenders that charge nothing (gift card, manual): 0, not an estimate.
tender_counts as (

    select
        order_name,
        count(*) as tender_count,
        sum(case when is_free then 1 else 0 end) as free_tender_count
    from tenders
    group by order_name

),

-- What each gateway captured, where the order transactions were delivered (split tender: the rated part).
captured as (

    select
        order_id as shopify_order_id,
        case when lower(gateway) like '%paypal%' then 'paypal' else lower(gateway) end as gateway,
        sum(case when kind in ('sale', 'capture') and status = 'success' then {{ to_cents('amount') }} else 0 end)
            as captured_cents
    from order_transactions
    group by order_id, case when lower(gateway) like '%paypal%' then 'paypal' else lower(gateway) end

),

orders_with_transactions as (

    select distinct order_id as shopify_order_id
    from order_transactions

),

order_dates as (

    select
        order_id,
        min(order_date) as order_date,
        min(source_currency) as source_currency
    from order_lines
    where channel in (select shopify_payments_channels.channel from shopify_payments_channels)
    group by order_id

),

estimate_inputs as (

    select
        order_dates.order_id,
        order_dates.order_date,
        actual_fees.fee_cents as actual_fee_cents,
        actual_fees.first_transaction_date,
        coalesce(orders.financial_status in ('authorized', 'pending', 'voided', 'expired'), false) as is_uncaptured,
        coalesce(
            tender_counts.tender_count > 0 and tender_counts.free_tender_count = tender_counts.tender_count, false
        ) as is_free_tender_only,
        rated_tenders.percent_rate,
        case
            when orders_with_transactions.shopify_order_id is not null then coalesce(captured.captured_cents, 0)
            else orders.total_cents
        end as rated_base_cents,
        -- The fixed fee is in the rate card's currency: converted into the order's at the order date.
        case
            when rated_tenders.fee_currency = order_dates.source_currency then {{ to_cents('rated_tenders.fixed_fee') }}
            else {{ div_round(
                to_cents('rated_tenders.fixed_fee') ~ ' * fee_rates.rate_e6', 'order_rates.rate_e6'
            ) }}
        end as fixed_fee_cents
    from order_dates
    left join orders
        on order_dates.order_id = orders.order_name
    left join actual_fees
        on order_dates.order_id = actual_fees.order_name
    left join rated_tenders
        on
            orders.order_name = rated_tenders.order_name
            and rated_tenders.rated_rank = 1
    left join tender_counts
        on orders.order_name = tender_counts.order_name
    left join orders_with_transactions
        on orders.shopify_order_id = orders_with_transactions.shopify_order_id
    left join captured
        on
            orders.shopify_order_id = captured.shopify_order_id
            and rated_tenders.plan_gateway = captured.gateway
    left join fx_rates as fee_rates
        on
            order_dates.order_date = fee_rates.rate_date
            and rated_tenders.fee_currency = fee_rates.currency
    left join fx_rates as order_rates
        on
            order_dates.order_date = order_rates.rate_date
            and order_dates.source_currency = order_rates.currency

),

order_fees as (

    select
        order_id,
        actual_fee_cents is null and not is_uncaptured and not is_free_tender_only as is_payment_fee_estimated,
        case
            when actual_fee_cents is not null then actual_fee_cents
            when is_uncaptured or is_free_tender_only or percent_rate is null then 0
            else
                {{ div_round('rated_base_cents * cast(round(percent_rate * 1000000, 0) as bigint)', '1000000') }}
                + fixed_fee_cents
        end as payment_fee_cents,
        coalesce(first_transaction_date, order_date) as payment_fee_date
    from estimate_inputs

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
