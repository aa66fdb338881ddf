with

landed as (

    {{ landed_latest_rows(source('brand', 'carrier_invoices')) }}

),

final as (

    select
        tracking_number,
        order_reference,
        ship_date,
        service,
        weight_kg,
        cost,
        currency,
        business_date,
        {{ lineage_columns() }}
    from landed

)

select * from final
