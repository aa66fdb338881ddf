{#-
    Incremental by affected settlements (macros/incremental.sql, landed_changed_keys): a run recomputes the whole
    settlements whose line or summary rows landed since the last build (a new report, a re-download) or whose
    stored delivery was retracted, from every visible delivery of them, so the whole-settlement replacement
    still decides; settlements no visible delivery holds any more are deleted.
-#}
{%- set changed_by = [
    [source('amazon', 'settlement_lines'), 'settlement_id'],
    [source('amazon', 'settlements'), 'settlement_id'],
] -%}
{%- set only_keys = ['settlement_id', 'changed_settlements'] if is_incremental() else none -%}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='settlement_id',
    on_schema_change='fail',
    post_hook="{{ delete_hidden_source_rows() }}",
) }}

with

{% if is_incremental() -%}
    changed_settlements as (

        {{ affected_keys(changed_by, 'settlement_id') }}

    ),

{% endif -%}
landed as (

    {{ landed_latest_rows(source('amazon', 'settlement_lines'), dedupe=false, only_keys=only_keys) }}

),

settlements as (

    {{ landed_latest_rows(source('amazon', 'settlements'), only_keys=only_keys) }}

),

-- A settlement downloaded twice is replaced as a whole: keep the lines of the winning file.
winning_file_lines as (

    select landed.*
    from landed
    inner join settlements
        on
            landed.settlement_id = settlements.settlement_id
            and landed._source_sha256 = settlements._source_sha256

),

final as (

    select
        settlement_id,
        transaction_type,
        order_id,
        merchant_order_id,
        adjustment_id,
        shipment_id,
        marketplace_name,
        amount_type,
        amount_description,
        amount,
        currency,
        fulfillment_id,
        posted_date,
        posted_at,
        order_item_code,
        merchant_order_item_id,
        merchant_adjustment_item_id,
        sku,
        quantity_purchased,
        promotion_id,
        business_date,
        {{ lineage_columns() }},
        ({{ landed_through(changed_by) }}) as _landed_through
    from winning_file_lines

)

select * from final
