with

landed as (

    {{ landed_latest_rows(source('brand', 'touchpoints')) }}

),

final as (

    select
        occurred_at,
        customer_email,
        landing_url,
        referrer_url,
        business_date,
        {{ lineage_columns() }}
    from landed

)

select * from final
