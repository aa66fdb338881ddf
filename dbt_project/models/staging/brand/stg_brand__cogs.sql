with

landed as (

    {{ landed_latest_rows(source('brand', 'cogs')) }}

),

final as (

    select
        sku,
        effective_from,
        unit_cost,
        currency,
        inbound_freight_per_unit,
        duty_per_unit,
        {{ lineage_columns() }}
    from landed

)

select * from final
