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
        _source_file,
        _source_sha256,
        _source_row,
        _source_format,
        _ingested_at,
        _parser_version,
        _record_key,
        _record_version
    from landed

)

select * from final
