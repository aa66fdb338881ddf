{#-
    Amazon settlement amounts the settlement_amount_types seed maps to a daily
    cost (docs/metrics.md rule 16), one row per settlement amount, by posted
    date (brand time zone), platform `amazon`, positive costs (the settlement's negative
    fees negated). One of the `channel_daily_cost_models` that
    int_daily_costs_operational unions. The channel comes from the `channels`
    seed, never a name (a scalar lookup: a missing seed row leaves the channel
    null and fails fct_daily_costs' tests instead of dropping the cost):
      - `storage_fee` (Storage Fee, FBA Long-Term Storage): the Amazon channel
        whose orders Amazon itself fulfils (seed `fulfillment` = its platform),
        which holds the inventory;
      - `inventory_reimbursement` (FBA Inventory Reimbursement: WAREHOUSE_LOST,
        WAREHOUSE_DAMAGE, REVERSAL_REIMBURSEMENT, ...): the same inventory channel;
        income, so the negated positive amount is a negative cost (contract v2);
      - `subscription_fee`: the unassigned cost channel (`is_unassigned`);
      - any other (unmapped: `other_settlement_charge`): the channel of the
        order line the amount names, else the unassigned cost channel.
-#}

with

settlement_amounts as (

    select * from {{ ref('int_settlement_amounts_mapped') }}

),

order_lines as (

    select
        order_line_id,
        channel
    from {{ ref('int_order_lines') }}

),

channels as (

    select * from {{ ref('channels') }}

),

inventory_channel as (

    select channel
    from channels
    where platform = 'amazon' and fulfillment = platform

),

unassigned_channel as (

    select channel
    from channels
    where is_unassigned

),

final as (

    select
        settlement_amounts.posted_date as cost_date,
        case
            when settlement_amounts.maps_to in ('storage_fee', 'inventory_reimbursement')
                then (select inventory_channel.channel from inventory_channel)
            when settlement_amounts.maps_to = 'subscription_fee' then (select unassigned_channel.channel from unassigned_channel)
            else coalesce(order_lines.channel, (select unassigned_channel.channel from unassigned_channel))
        end as channel,
        'amazon' as platform,
        settlement_amounts.maps_to as cost_type,
        settlement_amounts.source_currency,
        -settlement_amounts.amount_source_cents as amount_source_cents
    from settlement_amounts
    left join order_lines
        on settlement_amounts.order_line_id = order_lines.order_line_id
    where settlement_amounts.mapping_kind = 'daily_cost'

)

select * from final
