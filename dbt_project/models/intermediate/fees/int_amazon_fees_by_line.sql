-- Redshift: lines join lines on order_line_id, so they share its distribution.
{{ config(materialized='table', dist='order_line_id') }}

{#-
    Marketplace and fulfillment fees per order line (every line of
    int_order_lines; 0 on Shopify lines): the sums of int_amazon_fee_events in
    source currency (`*_source`) and in the reporting currency (each event
    converted at its own date, then summed). `is_marketplace_fee_estimated` is
    true for an Amazon line no settlement has shown yet (docs/metrics.md rule 11).
-#}

with

order_lines as (

    select
        order_line_id,
        order_id,
        channel,
        source_currency
    from {{ ref('int_order_lines') }}

),

fee_events as (

    select * from {{ ref('int_amazon_fee_events') }}

),

fees_by_line as (

    select
        order_line_id,
        sum(case when fee_measure = 'marketplace_fees' then fee_source_cents else 0 end)
            as marketplace_fees_source_cents,
        sum(case when fee_measure = 'marketplace_fees' then fee_cents else 0 end) as marketplace_fees_cents,
        sum(case when fee_measure = 'fulfillment_fees' then fee_source_cents else 0 end)
            as fulfillment_fees_source_cents,
        sum(case when fee_measure = 'fulfillment_fees' then fee_cents else 0 end) as fulfillment_fees_cents,
        max(case when is_estimate then 1 else 0 end) = 1 as has_estimate
    from fee_events
    group by order_line_id

),

final as (

    select
        order_lines.order_line_id,
        order_lines.order_id,
        order_lines.channel,
        order_lines.source_currency,
        cast(coalesce(fees_by_line.marketplace_fees_source_cents, 0) as bigint) as marketplace_fees_source_cents,
        cast(coalesce(fees_by_line.marketplace_fees_cents, 0) as bigint) as marketplace_fees_cents,
        cast(coalesce(fees_by_line.fulfillment_fees_source_cents, 0) as bigint) as fulfillment_fees_source_cents,
        cast(coalesce(fees_by_line.fulfillment_fees_cents, 0) as bigint) as fulfillment_fees_cents,
        {{ from_cents('coalesce(fees_by_line.marketplace_fees_source_cents, 0)') }} as marketplace_fees_source,
        {{ from_cents('coalesce(fees_by_line.marketplace_fees_cents, 0)') }} as marketplace_fees,
        {{ from_cents('coalesce(fees_by_line.fulfillment_fees_source_cents, 0)') }} as fulfillment_fees_source,
        {{ from_cents('coalesce(fees_by_line.fulfillment_fees_cents, 0)') }} as fulfillment_fees,
        coalesce(fees_by_line.has_estimate, false) as is_marketplace_fee_estimated
    from order_lines
    left join fees_by_line
        on order_lines.order_line_id = fees_by_line.order_line_id

)

select * from final
