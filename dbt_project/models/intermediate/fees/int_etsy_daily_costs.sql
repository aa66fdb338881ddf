{#-
    Etsy statement rows no order line carries (docs/metrics.md rule 18; one of the
    `channel_daily_cost_models`): listing fees (`listing_fee`) and Etsy Ads
    (`marketplace_ads`), one row per statement row, by statement date, platform
    `etsy`, on the `channels` seed's Etsy channel (platform `etsy`), positive
    costs (the statement's Net negated). Deposits are transfers and stay out.
-#}

with

statement_lines as (

    select * from {{ ref('stg_etsy__statement_lines') }}

),

channels as (

    select * from {{ ref('channels') }}

),

final as (

    select
        statement_date as cost_date,
        (
            select channels.channel
            from channels
            where channels.platform = 'etsy' and channels.source_channel_value = '*'
        ) as channel,
        'etsy' as platform,
        statement_kind as cost_type,
        currency as source_currency,
        -{{ to_cents('net') }} as amount_source_cents
    from statement_lines
    where statement_kind in ('listing_fee', 'marketplace_ads')

)

select * from final
