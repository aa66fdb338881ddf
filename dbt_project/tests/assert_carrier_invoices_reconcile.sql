{#-
    Carrier invoices lose nothing (metrics.md principle 1, docs/metrics.md rules 12 and
    16), in the invoice currency, to the cent: per invoice date and currency,
    the invoiced cost = the shipping cost allocated to order lines from
    invoices (not estimated, by their shipping cost date) + the carrier rows of
    the daily costs (return_shipping, unallocated_shipping).
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

invoiced as (

    select
        ship_date as cost_date,
        currency as source_currency,
        sum({{ to_cents('cost') }}) as cost_cents
    from carrier_invoices
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
    where platform = 'carrier'

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
