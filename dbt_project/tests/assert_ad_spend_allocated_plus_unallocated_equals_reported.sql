{#-
    metrics.md "Attribution" invariant: for every attribution model, per platform, spend
    day and currency, the spend allocated to order lines plus the unallocated remainder
    equals the spend the ad reports show, to the cent, in the spend's currency.
    Returns offending rows.
-#}

-- The asset check shows on this model in Dagster (the test reads several models).
{{ config(meta={'dagster': {'ref': {'name': 'int_ad_spend_unallocated'}}}) }}

with

attribution_models as (
    {%- for model_name in attribution_models() %}
        {% if not loop.first %}union all{% endif %}
        select '{{ model_name }}' as attribution_model
    {%- endfor %}

),

reported as (

    select
        attribution_models.attribution_model,
        platform,
        spend_date,
        source_currency,
        sum(spend_source_cents) as reported_cents
    from {{ ref('int_ad_spend_daily') }}
    cross join attribution_models
    group by attribution_models.attribution_model, platform, spend_date, source_currency

),

allocated as (

    select
        attribution_model,
        platform,
        spend_date,
        source_currency,
        sum(amount_source_cents) as allocated_cents
    from {{ ref('int_ad_spend_allocated') }}
    group by attribution_model, platform, spend_date, source_currency

),

unallocated as (

    select
        attribution_model,
        platform,
        cost_date as spend_date,
        source_currency,
        sum({{ to_cents('amount_source') }}) as unallocated_cents
    from {{ ref('int_ad_spend_unallocated') }}
    group by attribution_model, platform, cost_date, source_currency

),

keys as (

    select
        attribution_model,
        platform,
        spend_date,
        source_currency
    from reported
    union
    select
        attribution_model,
        platform,
        spend_date,
        source_currency
    from allocated
    union
    select
        attribution_model,
        platform,
        spend_date,
        source_currency
    from unallocated

),

compared as (

    select
        keys.attribution_model,
        keys.platform,
        keys.spend_date,
        keys.source_currency,
        coalesce(reported.reported_cents, 0) as reported_cents,
        coalesce(allocated.allocated_cents, 0) as allocated_cents,
        coalesce(unallocated.unallocated_cents, 0) as unallocated_cents
    from keys
    left join reported
        on
            keys.attribution_model = reported.attribution_model
            and keys.platform = reported.platform
            and keys.spend_date = reported.spend_date
            and keys.source_currency = reported.source_currency
    left join allocated
        on
            keys.attribution_model = allocated.attribution_model
            and keys.platform = allocated.platform
            and keys.spend_date = allocated.spend_date
            and keys.source_currency = allocated.source_currency
    left join unallocated
        on
            keys.attribution_model = unallocated.attribution_model
            and keys.platform = unallocated.platform
            and keys.spend_date = unallocated.spend_date
            and keys.source_currency = unallocated.source_currency

)

select *
from compared
where allocated_cents + unallocated_cents != reported_cents
