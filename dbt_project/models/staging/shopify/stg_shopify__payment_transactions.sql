with

landed as (

    {{ landed_latest_rows(source('shopify', 'payment_transactions')) }}

),

final as (

    select
        transaction_at,
        transaction_at_local,
        type,
        order_name,
        card_brand,
        card_source,
        payout_status,
        payout_date,
        available_on,
        amount,
        fee,
        net,
        checkout,
        payment_method_name,
        presentment_amount,
        presentment_currency,
        currency,
        business_date,
        {{ lineage_columns() }}
    from landed

)

select * from final
