with

landed as (

    {{ landed_latest_rows(source('amazon', 'settlements')) }}

),

final as (

    select
        settlement_id,
        settlement_start_date,
        settlement_end_date,
        deposit_date,
        total_amount,
        currency,
        marketplace_name,
        business_date,
        {{ lineage_columns() }}
    from landed

)

select * from final
