{#-
    The brand's stock count rows: one per SKU, location and count date; a corrected file's row wins
    (`_record_key` = `counted_on|location|sku`).
-#}

with

landed as (

    {{ landed_latest_rows(source('brand', 'stock_counts')) }}

),

final as (

    select
        counted_on,
        location,
        sku,
        on_hand,
        inbound,
        {{ lineage_columns() }}
    from landed

)

select * from final
