with

landed as (

    {{ landed_latest_rows(source('shopify', 'payouts')) }}

),

final as (

    select
        payout_id,
        status,
        payout_date,
        currency,
        amount,
        charges_gross_amount,
        charges_fee_amount,
        refunds_gross_amount,
        refunds_fee_amount,
        adjustments_gross_amount,
        adjustments_fee_amount,
        reserved_funds_gross_amount,
        reserved_funds_fee_amount,
        retried_payouts_gross_amount,
        retried_payouts_fee_amount,
        business_date,
        {{ lineage_columns() }}
    from landed

)

select * from final
