with

landed as (

    {{ landed_latest_rows(source('brand', 'sku_asin_map')) }}

),

final as (

    select
        sku,
        asin,
        marketplace,
        {{ lineage_columns() }}
    from landed

)

select * from final
