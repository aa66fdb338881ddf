{#-
    Shopify inventory export rows: one per variant SKU, location and export day; a later export of the same
    day wins (`_record_key` = `as_of_date|location|sku`).
-#}

with

landed as (

    {{ landed_latest_rows(source('shopify', 'inventory_levels')) }}

),

final as (

    select
        as_of_date,
        location,
        sku,
        handle,
        title,
        variant,
        is_stocked,
        incoming,
        unavailable,
        committed,
        available,
        on_hand,
        {{ lineage_columns() }}
    from landed

)

select * from final
