with

landed as (

    {{ landed_latest_rows(source('amazon', 'settlement_lines'), dedupe=false) }}

),

settlements as (

    {{ landed_latest_rows(source('amazon', 'settlements')) }}

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
        {{ lineage_columns() }}
    from winning_file_lines

)

select * from final
