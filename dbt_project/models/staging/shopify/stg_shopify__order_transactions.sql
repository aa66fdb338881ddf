with

landed as (

    {{ landed_latest_rows(source('shopify', 'order_transactions')) }}

),

final as (

    select
        transaction_id,
        order_id,
        parent_id,
        kind,
        gateway,
        status,
        amount,
        currency,
        created_at,
        business_date,
        {{ lineage_columns() }}
    from landed

)

select * from final
