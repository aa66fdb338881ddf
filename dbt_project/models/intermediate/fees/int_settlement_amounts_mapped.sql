{#-
    Every amount of every Amazon settlement line, mapped through the
    `settlement_amount_types` seed (metrics.md principle 5) to a measure of
    fct_financial_performance, a daily cost type of fct_daily_costs, or
    `excluded` with its reason. An exact amount_description row wins over the
    `*` row of the same (transaction type, amount type). A line the seed does
    not know lands as daily cost `other_settlement_charge` (is_mapped false)
    and the warning test `assert_settlement_amount_types_mapped` names it and its
    file (docs/metrics.md rule 19).
    Amounts keep the report's sign (money to the seller positive, fees negative).
    `posted_date` is the posted time's calendar day in the brand's time zone
    (docs/metrics.md rule 3: every P&L date of an Amazon amount);
    `posted_file_date` the file's own `posted-date` (UTC), for reconciling a
    file day by day.
-#}

with

settlement_lines as (

    select * from {{ ref('stg_amazon__settlement_lines') }}

),

amount_types as (

    select * from {{ ref('settlement_amount_types') }}
    where source = 'amazon'

),

keyed as (

    select
        _record_key as settlement_line_key,
        _source_file as source_file,
        settlement_id,
        marketplace_name,
        -- The posted time's day in the brand's time zone (docs/metrics.md rule 3); the file's own
        -- (UTC) posted-date where a file has no posted-date-time.
        coalesce({{ to_brand_date('posted_at') }}, posted_date) as posted_date,
        posted_date as posted_file_date,
        posted_at,
        transaction_type,
        lower(transaction_type) as transaction_type_key,
        amount_type,
        amount_description,
        order_id,
        sku,
        case
            when order_id is not null and sku is not null then order_id || '-' || sku
        end as order_line_id,
        currency as source_currency,
        {{ to_cents('amount') }} as amount_source_cents
    from settlement_lines

),

mapped as (

    select
        keyed.*,
        coalesce(exact_type.maps_to, any_description.maps_to) as seed_maps_to,
        coalesce(exact_type.kind, any_description.kind) as seed_kind,
        coalesce(exact_type.reason, any_description.reason) as seed_reason
    from keyed
    left join amount_types as exact_type
        on
            keyed.transaction_type_key = exact_type.transaction_type
            and keyed.amount_type = exact_type.amount_type
            and keyed.amount_description = exact_type.amount_description
    left join amount_types as any_description
        on
            keyed.transaction_type_key = any_description.transaction_type
            and keyed.amount_type = any_description.amount_type
            and any_description.amount_description = '*'

),

final as (

    select
        settlement_line_key,
        source_file,
        settlement_id,
        marketplace_name,
        posted_date,
        posted_file_date,
        posted_at,
        transaction_type,
        amount_type,
        amount_description,
        order_id,
        sku,
        order_line_id,
        source_currency,
        amount_source_cents,
        {{ from_cents('amount_source_cents') }} as amount_source,
        coalesce(seed_kind, 'daily_cost') as mapping_kind,
        coalesce(seed_maps_to, 'other_settlement_charge') as maps_to,
        seed_kind is not null as is_mapped,
        coalesce(seed_reason, 'Not in the settlement_amount_types seed: kept as a daily cost until mapped')
            as mapping_reason
    from mapped

)

select * from final
