with

landed as (

    {{ landed_latest_rows(source('brand', 'fx_rates')) }}

),

final as (

    select
        date,
        currency,
        rate,
        pivot_currency,
        business_date,
        {{ lineage_columns() }}
    from landed

)

select * from final
