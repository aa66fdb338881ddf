{#-
    Generic test fx_rate_available (owner: sales): fails the build when an event of
    `model` needs an FX rate that does not exist in `fx_rates` (pass
    ref('int_fx_rates_daily')): no rate of its currency on its
    date nor within var('fx_max_age_days') days before (metrics.md principle 7).
    Each failing row carries `failure_message`, naming the currency, the event date
    and the latest earlier rate, so the fix (add the rate to the brand fx_rates
    file) is obvious from the log or `dbt test --store-failures`.
-#}
{% test fx_rate_available(model, date_column, currency_column, fx_rates) %}

with

events as (

    select distinct
        {{ date_column }} as event_date,
        {{ currency_column }} as currency
    from {{ model }}
    where {{ date_column }} is not null and {{ currency_column }} is not null

),

fx_rates_daily as (

    select * from {{ fx_rates }}

)

select
    events.event_date,
    events.currency,
    fx_rates_daily.rate_source_date as latest_earlier_rate_date,
    {{ dbt.concat([
        "'no '",
        "events.currency",
        "' rate within " ~ var('fx_max_age_days') ~ " days before '",
        "cast(events.event_date as " ~ dbt.type_string() ~ ")",
        "' (latest earlier rate: '",
        "coalesce(cast(fx_rates_daily.rate_source_date as " ~ dbt.type_string() ~ "), 'none')",
        "'): add the rate to the brand fx_rates file'",
    ]) }} as failure_message
from events
left join fx_rates_daily
    on
        events.event_date = fx_rates_daily.rate_date
        and events.currency = fx_rates_daily.currency
where fx_rates_daily.rate_e6 is null

{% endtest %}
