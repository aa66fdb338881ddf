{#-
    Sales channels (metrics.md `dim_channel`) as the `channels` seed lists them,
    with how each behaves (who ships, fee, shipping and attribution rules), plus
    the seed's unassigned cost channel (`is_unassigned`): the channel of daily
    costs no sales channel carries (subscriptions, unmatched carrier invoices,
    unallocated ad spend).
-#}

with

channels as (

    select * from {{ ref('channels') }}

),

final as (

    select
        cast(channel as varchar(64)) as channel,
        cast(platform as varchar(64)) as platform,
        cast(fulfillment as varchar(64)) as fulfillment,
        cast(is_marketplace as boolean) as is_marketplace,
        cast(description as varchar(256)) as description,
        not coalesce(is_unassigned, false) as is_sales_channel,
        cast(has_buyer_identity as boolean) as has_buyer_identity,
        cast(payment_fee_rule as varchar(32)) as payment_fee_rule,
        cast(marketplace_fee_rule as varchar(32)) as marketplace_fee_rule,
        cast(fulfillment_fee_rule as varchar(32)) as fulfillment_fee_rule,
        cast(shipping_cost_rule as varchar(32)) as shipping_cost_rule,
        cast(attribution_rule as varchar(32)) as attribution_rule
    from channels

)

select * from final
