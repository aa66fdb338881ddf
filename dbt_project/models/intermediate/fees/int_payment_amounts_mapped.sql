{#-
    Every amount of the Shopify Payments transactions export, mapped through the
    `settlement_amount_types` seed (source shopify; metrics.md principle 5,
    docs/metrics.md rule 19) to a measure of fct_financial_performance, a daily
    cost type of fct_daily_costs, or `excluded` with its reason. Each export row
    gives its `Amount` (amount_type 'Amount') and, when not zero, its fee as a
    negative amount (amount_type 'Fee'), so a row's components add up to its
    `Net`. The type matches the seed lower-cased with spaces as underscores (the
    CSV writes `marketplace sales tax`, the API `shop_cash_credit`); an exact
    amount_description never applies here (`*` rows). A type the seed does not
    know is never dropped: both components land as daily cost
    `other_payment_charge` (is_mapped false) and the warning test
    `assert_settlement_amount_types_mapped` names the type and the file.
    The payout a row belongs to is (payout date, currency): the export has no
    payout id (fct_payout_reconciliation).
-#}

with

payment_transactions as (

    select * from {{ ref('stg_shopify__payment_transactions') }}

),

amount_types as (

    select * from {{ ref('settlement_amount_types') }}
    where source = 'shopify'

),

components as (

    select
        _record_key as payment_transaction_key,
        _source_file as source_file,
        transaction_at,
        type as transaction_type,
        case
            -- the dispute aliases (var shopify_dispute_types) are one type: chargebacks (rule 33)
            when lower(trim(type)) in ('{{ var("shopify_dispute_types") | join("', '") }}') then 'dispute'
            else replace(lower(trim(type)), ' ', '_')
        end as transaction_type_key,
        'Amount' as amount_type,
        order_name,
        payout_status,
        payout_date,
        currency as source_currency,
        {{ to_cents('amount') }} as amount_source_cents
    from payment_transactions

    union all

    select
        _record_key as payment_transaction_key,
        _source_file as source_file,
        transaction_at,
        type as transaction_type,
        case
            -- the dispute aliases (var shopify_dispute_types) are one type: chargebacks (rule 33)
            when lower(trim(type)) in ('{{ var("shopify_dispute_types") | join("', '") }}') then 'dispute'
            else replace(lower(trim(type)), ' ', '_')
        end as transaction_type_key,
        'Fee' as amount_type,
        order_name,
        payout_status,
        payout_date,
        currency as source_currency,
        -{{ to_cents('fee') }} as amount_source_cents
    from payment_transactions
    where {{ to_cents('fee') }} != 0

),

mapped as (

    select
        components.*,
        amount_types.maps_to as seed_maps_to,
        amount_types.kind as seed_kind,
        amount_types.reason as seed_reason
    from components
    left join amount_types
        on
            components.transaction_type_key = amount_types.transaction_type
            and components.amount_type = amount_types.amount_type
            and amount_types.amount_description = '*'

),

final as (

    select
        payment_transaction_key,
        source_file,
        transaction_at,
        {{ to_brand_date('transaction_at') }} as transaction_date,
        transaction_type,
        amount_type,
        order_name,
        payout_status,
        payout_date,
        source_currency,
        amount_source_cents,
        {{ from_cents('amount_source_cents') }} as amount_source,
        coalesce(seed_kind, 'daily_cost') as mapping_kind,
        coalesce(seed_maps_to, 'other_payment_charge') as maps_to,
        seed_kind is not null as is_mapped,
        coalesce(seed_reason, 'Not in the settlement_amount_types seed: kept as a daily cost until mapped')
            as mapping_reason
    from mapped

)

select * from final
