{#-
    Nothing is lost (metrics.md principle 1) on the Amazon settlement report, in
    source currency, to the cent:
      1. per settlement, posted date and currency, the settlement lines' amounts
         = measures + daily costs + excluded amounts of int_settlement_amounts_mapped;
      2. per settlement, the header's total-amount = the sum of its lines;
      3. per posted date and currency, the fee amounts mapped to
         marketplace_fees / fulfillment_fees = the actual fee events on order
         lines (int_amazon_fee_events): a fee row of an unknown line fails here;
      4. per posted date and currency, the amounts mapped to daily costs = the
         amazon rows of int_daily_costs_operational.
    Returns one row per difference.
-#}

-- The asset check shows on this model in Dagster (the test reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'int_settlement_amounts_mapped'}}}) }}

with

settlement_lines as (

    select * from {{ ref('stg_amazon__settlement_lines') }}

),

settlements as (

    select * from {{ ref('stg_amazon__settlements') }}

),

mapped as (

    select * from {{ ref('int_settlement_amounts_mapped') }}

),

fee_events as (

    select * from {{ ref('int_amazon_fee_events') }}

),

daily_costs as (

    select * from {{ ref('int_daily_costs_operational') }}

),

source_totals as (

    select
        settlement_id,
        posted_date,
        currency as source_currency,
        sum({{ to_cents('amount') }}) as source_cents
    from settlement_lines
    group by settlement_id, posted_date, currency

),

mapped_totals as (

    select
        settlement_id,
        posted_file_date as posted_date,
        source_currency,
        sum(case when mapping_kind = 'measure' then amount_source_cents else 0 end) as measure_cents,
        sum(case when mapping_kind = 'daily_cost' then amount_source_cents else 0 end) as daily_cost_cents,
        sum(case when mapping_kind = 'excluded' then amount_source_cents else 0 end) as excluded_cents
    from mapped
    group by settlement_id, posted_file_date, source_currency

),

lines_vs_mapping as (

    select
        'settlement lines vs measures + daily costs + excluded' as check_name,
        coalesce(source_totals.settlement_id, mapped_totals.settlement_id) as settlement_id,
        coalesce(source_totals.posted_date, mapped_totals.posted_date) as posted_date,
        coalesce(source_totals.source_currency, mapped_totals.source_currency) as source_currency,
        coalesce(source_totals.source_cents, 0) as expected_cents,
        coalesce(mapped_totals.measure_cents + mapped_totals.daily_cost_cents + mapped_totals.excluded_cents, 0)
            as actual_cents
    from source_totals
    full outer join mapped_totals
        on
            source_totals.settlement_id = mapped_totals.settlement_id
            and source_totals.posted_date = mapped_totals.posted_date
            and source_totals.source_currency = mapped_totals.source_currency

),

line_totals as (

    select
        settlement_id,
        sum(source_cents) as source_cents
    from source_totals
    group by settlement_id

),

header_vs_lines as (

    select
        'settlement header total vs its lines' as check_name,
        settlements.settlement_id,
        cast(null as date) as posted_date,
        settlements.currency as source_currency,
        coalesce({{ to_cents('settlements.total_amount') }}, 0) as expected_cents,
        coalesce(line_totals.source_cents, 0) as actual_cents
    from settlements
    left join line_totals
        on settlements.settlement_id = line_totals.settlement_id

),

mapped_fees as (

    select
        posted_date,
        source_currency,
        sum(-amount_source_cents) as fee_cents
    from mapped
    where
        mapping_kind = 'measure'
        and maps_to in ('marketplace_fees', 'fulfillment_fees')
    group by posted_date, source_currency

),

line_fees as (

    select
        event_date,
        source_currency,
        sum(fee_source_cents) as fee_cents
    from fee_events
    where not is_estimate
    group by event_date, source_currency

),

fees_vs_lines as (

    select
        'settlement fees vs actual fees on order lines' as check_name,
        cast(null as {{ dbt.type_string() }}) as settlement_id,
        coalesce(mapped_fees.posted_date, line_fees.event_date) as posted_date,
        coalesce(mapped_fees.source_currency, line_fees.source_currency) as source_currency,
        coalesce(mapped_fees.fee_cents, 0) as expected_cents,
        coalesce(line_fees.fee_cents, 0) as actual_cents
    from mapped_fees
    full outer join line_fees
        on
            mapped_fees.posted_date = line_fees.event_date
            and mapped_fees.source_currency = line_fees.source_currency

),

mapped_costs as (

    select
        posted_date,
        source_currency,
        sum(-amount_source_cents) as cost_cents
    from mapped
    where mapping_kind = 'daily_cost'
    group by posted_date, source_currency

),

fact_costs as (

    select
        cost_date,
        source_currency,
        sum(amount_source_cents) as cost_cents
    from daily_costs
    -- Buy Shipping labels without an order (mapped to shipping_cost) reconcile in assert_carrier_invoices_reconcile.
    where platform = 'amazon' and cost_type != 'unallocated_shipping'
    group by cost_date, source_currency

),

costs_vs_daily as (

    select
        'settlement daily costs vs int_daily_costs_operational' as check_name,
        cast(null as {{ dbt.type_string() }}) as settlement_id,
        coalesce(mapped_costs.posted_date, fact_costs.cost_date) as posted_date,
        coalesce(mapped_costs.source_currency, fact_costs.source_currency) as source_currency,
        coalesce(mapped_costs.cost_cents, 0) as expected_cents,
        coalesce(fact_costs.cost_cents, 0) as actual_cents
    from mapped_costs
    full outer join fact_costs
        on
            mapped_costs.posted_date = fact_costs.cost_date
            and mapped_costs.source_currency = fact_costs.source_currency

),

checks as (

    select * from lines_vs_mapping
    union all
    select * from header_vs_lines
    union all
    select * from fees_vs_lines
    union all
    select * from costs_vs_daily

)

select * from checks
where expected_cents != actual_cents
