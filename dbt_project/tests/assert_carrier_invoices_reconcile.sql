{#-
    Carrier invoices and shipping labels lose nothing (metrics.md principle 1,
    docs/metrics.md rules 12 and 16), in the invoice currency, to the cent: per
    invoice (or settlement posted) date and currency, the invoiced cost (carrier
    invoice rows plus Amazon Buy Shipping labels, the settlement amounts mapped
    to shipping_cost, negated, plus Shopify Shipping labels of the Shopify bill)
    = the shipping cost allocated to order lines
    from them (not estimated, by their shipping cost date) + the carrier and
    label rows of the daily costs (return_shipping, unallocated_shipping).
    Returns one row per day and currency that differs.
-#}

-- The asset check shows on this model in Dagster (the test reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'int_shipping_costs_by_line'}}}) }}

with

carrier_invoices as (

    select * from {{ ref('stg_brand__carrier_invoices') }}

),

line_costs as (

    select * from {{ ref('int_shipping_costs_by_line') }}

),

daily_costs as (

    select * from {{ ref('int_daily_costs_operational') }}

),

settlement_amounts as (

    select * from {{ ref('int_settlement_amounts_mapped') }}

),

billing_charges as (

    select * from {{ ref('stg_shopify__billing_charges') }}

),

invoiced as (

    select
        ship_date as cost_date,
        currency as source_currency,
        sum(cost_cents) as cost_cents
    from (
        select
            ship_date,
            currency,
            {{ to_cents('cost') }} as cost_cents
        from carrier_invoices
        union all
        select
            posted_date as ship_date,
            source_currency as currency,
            -amount_source_cents as cost_cents
        from settlement_amounts
        where mapping_kind = 'measure' and maps_to = 'shipping_cost'
        union all
        select
            charged_on as ship_date,
            currency,
            {{ to_cents('amount') }} as cost_cents
        from billing_charges
        where is_shipping_label
    ) as invoiced_rows
    group by ship_date, currency

),

accounted_rows as (

    select
        shipping_cost_date as cost_date,
        shipping_cost_currency as source_currency,
        shipping_cost_source_cents as cost_cents
    from line_costs
    where not is_shipping_cost_estimated

    union all

    select
        cost_date,
        source_currency,
        amount_source_cents as cost_cents
    from daily_costs
    where
        platform = 'carrier'
        or (platform in ('amazon', 'shopify') and cost_type in ('return_shipping', 'unallocated_shipping'))

),

accounted as (

    select
        cost_date,
        source_currency,
        sum(cost_cents) as cost_cents
    from accounted_rows
    group by cost_date, source_currency

),

compared as (

    select
        coalesce(invoiced.cost_date, accounted.cost_date) as cost_date,
        coalesce(invoiced.source_currency, accounted.source_currency) as source_currency,
        coalesce(invoiced.cost_cents, 0) as invoiced_cents,
        coalesce(accounted.cost_cents, 0) as accounted_cents
    from invoiced
    full outer join accounted
        on
            invoiced.cost_date = accounted.cost_date
            and invoiced.source_currency = accounted.source_currency

)

select * from compared
where invoiced_cents != accounted_cents
