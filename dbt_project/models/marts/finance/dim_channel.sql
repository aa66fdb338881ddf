{#-
    Sales channels (metrics.md `dim_channel`), extensible by the `channels`
    seed, and `Unassigned` (platform 'none'): the channel of daily costs no sales
    channel carries (subscriptions, unmatched carrier invoices, unallocated ad
    spend); added here when the seed does not list it.
-#}

with

channels as (

    select * from {{ ref('channels') }}

),

unassigned as (

    select
        'Unassigned' as channel,
        'none' as platform,
        'none' as fulfillment,
        false as is_marketplace,
        'Costs no sales channel carries: subscriptions, unmatched carrier invoices, unallocated ad spend' as description
    from (
        select count(*) as n_rows
        from channels
        where channel = 'Unassigned'
    ) as seeded
    where seeded.n_rows = 0

),

final as (

    select
        cast(channel as varchar(64)) as channel,
        cast(platform as varchar(64)) as platform,
        cast(fulfillment as varchar(64)) as fulfillment,
        cast(is_marketplace as boolean) as is_marketplace,
        cast(description as varchar(256)) as description,
        not coalesce(platform = 'none', false) as is_sales_channel
    from channels

    union all

    select
        cast(channel as varchar(64)) as channel,
        cast(platform as varchar(64)) as platform,
        cast(fulfillment as varchar(64)) as fulfillment,
        cast(is_marketplace as boolean) as is_marketplace,
        cast(description as varchar(256)) as description,
        false as is_sales_channel
    from unassigned

)

select * from final
