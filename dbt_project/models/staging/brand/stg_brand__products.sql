with

landed as (

    {{ landed_latest_rows(source('brand', 'products')) }}

),

final as (

    select
        sku,
        product_name,
        category,
        vendor,
        weight_kg,
        size_tier,
        {{ lineage_columns() }}
    from landed

)

select * from final
