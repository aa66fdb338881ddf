{#-
    The daily cost fact (metrics.md): costs no order line carries, one row per
    cost_date, channel, platform, cost_type and source_currency (the currency is
    part of the key: source amounts of different currencies do not add up).
    Operational costs come from int_daily_costs_operational (Amazon storage and
    subscription fees, other settlement charges, return and unallocated
    shipping); unallocated ad spend per platform and spend day from
    int_ad_spend_unallocated. `amount` is in the reporting currency (each key's
    source total converted at the cost date's rate), `amount_source` in
    `source_currency`. Costs are positive; P&L marts subtract them from CM3.
-#}

with

operational_costs as (

    select * from {{ ref('int_daily_costs_operational') }}

),

unallocated_ad_spend as (

    select * from {{ ref('int_ad_spend_unallocated') }}

),

cost_rows as (

    select
        cost_date,
        channel,
        platform,
        cost_type,
        source_currency,
        amount,
        amount_source
    from operational_costs

    union all

    select
        cost_date,
        channel,
        platform,
        cost_type,
        source_currency,
        sum(amount) as amount,
        sum(amount_source) as amount_source
    from unallocated_ad_spend
    group by cost_date, channel, platform, cost_type, source_currency

),

final as (

    select
        cast(cost_date as date) as cost_date,
        cast(channel as varchar) as channel,
        cast(platform as varchar) as platform,
        cast(cost_type as varchar) as cost_type,
        cast(source_currency as varchar) as source_currency,
        cast('{{ var("reporting_currency") }}' as varchar) as reporting_currency,
        cast(amount as numeric(18, 2)) as amount,
        cast(amount_source as numeric(18, 2)) as amount_source
    from cost_rows

)

select * from final
