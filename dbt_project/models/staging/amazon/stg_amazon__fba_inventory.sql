{#-
    FBA Manage Inventory report rows: one per SKU, marketplace and report day; a later download of the same
    day wins (`_record_key` = `as_of_date|marketplace|sku`).
-#}

with

landed as (

    {{ landed_latest_rows(source('amazon', 'fba_inventory')) }}

),

final as (

    select
        as_of_date,
        marketplace,
        sku,
        fnsku,
        asin,
        product_name,
        condition,
        afn_warehouse_quantity,
        afn_fulfillable_quantity,
        afn_unsellable_quantity,
        afn_reserved_quantity,
        afn_total_quantity,
        afn_inbound_working_quantity,
        afn_inbound_shipped_quantity,
        afn_inbound_receiving_quantity,
        afn_researching_quantity,
        {{ lineage_columns() }}
    from landed

)

select * from final
