{#-
    Ad spend no order line carries, per attribution model, platform, spend day and currency
    (metrics.md "Nothing is lost"; docs/metrics.md rules 16 and 50; fct_daily_costs takes
    the default model's rows): reported spend minus the
    allocated shares, in the spend's currency, converted at the spend date.
    Rows with zero are omitted. Shaped for fct_daily_costs: the unassigned cost channel (`channels` seed `is_unassigned`),
    cost_type 'unallocated_ad_spend', amount (reporting currency) and
    amount_source (spend currency) as numeric(18,2).
    Invariant (test assert_ad_spend_allocated_plus_unallocated_equals_reported):
    allocated + unallocated = reported spend per model, platform and day.
-#}

with

ad_spend_daily as (

    select * from {{ ref('int_ad_spend_daily') }}

),

allocated as (

    select * from {{ ref('int_ad_spend_allocated') }}

),

fx_rates_daily as (

    select * from {{ ref('int_fx_rates_daily') }}

),

attribution_models as (
    {%- for model_name in attribution_models() %}
        {% if not loop.first %}union all{% endif %}
        select '{{ model_name }}' as attribution_model
    {%- endfor %}

),

unassigned_channel as (

    select channel
    from {{ ref('channels') }}
    where is_unassigned

),

reported as (

    select
        platform,
        spend_date,
        source_currency,
        sum(spend_source_cents) as spend_source_cents
    from ad_spend_daily
    group by platform, spend_date, source_currency

),

placed as (

    select
        attribution_model,
        platform,
        spend_date,
        source_currency,
        sum(amount_source_cents) as placed_source_cents
    from allocated
    group by attribution_model, platform, spend_date, source_currency

),

remainder as (

    select
        attribution_models.attribution_model,
        reported.platform,
        reported.spend_date,
        reported.source_currency,
        reported.spend_source_cents - coalesce(placed.placed_source_cents, 0) as amount_source_cents
    from reported
    cross join attribution_models
    left join placed
        on
            attribution_models.attribution_model = placed.attribution_model
            and reported.platform = placed.platform
            and reported.spend_date = placed.spend_date
            and reported.source_currency = placed.source_currency

),

final as (

    select
        remainder.attribution_model,
        remainder.spend_date as cost_date,
        (select unassigned_channel.channel from unassigned_channel) as channel,
        remainder.platform,
        'unallocated_ad_spend' as cost_type,
        {{ from_cents(convert_cents('remainder.amount_source_cents', 'fx_rates_daily.rate_e6')) }} as amount,
        {{ from_cents('remainder.amount_source_cents') }} as amount_source,
        remainder.source_currency
    from remainder
    left join fx_rates_daily
        on
            remainder.source_currency = fx_rates_daily.currency
            and remainder.spend_date = fx_rates_daily.rate_date
    where remainder.amount_source_cents != 0

)

select * from final
