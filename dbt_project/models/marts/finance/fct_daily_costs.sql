{#-
    The daily cost fact (metrics.md): costs no order line carries, one row per
    cost_date, channel, platform, cost_type and source_currency (the currency is
    part of the key: source amounts of different currencies do not add up).
    Operational costs come from int_daily_costs_operational (Amazon storage and
    subscription fees, other settlement charges, return and unallocated
    shipping); unallocated ad spend per platform and spend day from
    int_ad_spend_unallocated; `unreported_ad_charge` (Amazon Ads, the month's
    Cost of Advertising minus the Ads reports' spend) from
    int_amazon_ad_charge_reconciliation (docs/metrics.md rule 40). `amount` is in the reporting currency (each key's
    source total converted at the cost date's rate), `amount_source` in
    `source_currency`. Costs are positive; P&L marts subtract them from CM3.
-#}

with

operational_costs as (

    select * from {{ ref('int_daily_costs_operational') }}

),

unallocated_ad_spend as (

    select * from {{ ref('int_ad_spend_unallocated') }}
    where attribution_model = '{{ default_attribution_model() }}'

),

ad_charge_reconciliation as (

    select * from {{ ref('int_amazon_ad_charge_reconciliation') }}

),

unassigned_channel as (

    select channel
    from {{ ref('channels') }}
    where is_unassigned

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

    union all

    -- docs/metrics.md rule 40: the settlement's Cost of Advertising minus the Ads reports' spend.
    select
        cost_date,
        (select unassigned_channel.channel from unassigned_channel) as channel,
        'amazon_ads' as platform,
        'unreported_ad_charge' as cost_type,
        source_currency,
        difference as amount,
        difference_source as amount_source
    from ad_charge_reconciliation
    where difference_source_cents != 0

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
