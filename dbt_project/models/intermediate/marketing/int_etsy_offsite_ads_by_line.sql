{#-
    Etsy Offsite Ads fees as ad spend already placed on order lines
    (docs/metrics.md rule 18; one of the `channel_ad_spend_line_models`): each order's
    Offsite Ads fees of a statement date (credits negative) split over its lines
    by gross share in integer cents (rule 14), platform `etsy`, campaign
    `offsite_ads`, dated by the statement row, in the statement's currency.
-#}

with

statement_lines as (

    select * from {{ ref('stg_etsy__statement_lines') }}

),

order_lines as (

    select * from {{ ref('int_etsy_order_lines_prepared') }}

),

order_fees as (

    select
        order_id,
        statement_date as spend_date,
        currency as source_currency,
        -sum({{ to_cents('net') }}) as fee_cents
    from statement_lines
    where
        order_id is not null
        and statement_kind = 'ad_spend'
    group by order_id, statement_date, currency

),

candidates as (

    select
        order_fees.*,
        order_lines.order_line_id,
        order_lines.gross_sales_cents
    from order_fees
    inner join order_lines
        on order_fees.order_id = order_lines.order_id

),

allocated as (

    {{ allocate_cents(
        'candidates', ['order_id', 'spend_date', 'source_currency'], 'fee_cents', 'gross_sales_cents',
        'order_line_id', 'amount_source_cents'
    ) }}

),

final as (

    select
        order_line_id,
        'etsy' as platform,
        'offsite_ads' as campaign_id,
        'Etsy Offsite Ads' as campaign_name,
        spend_date,
        source_currency,
        cast(amount_source_cents as bigint) as amount_source_cents
    from allocated

)

select * from final
