{#-
    `statement_kind` is what the row is under docs/metrics.md rule 18, from its Type and
    Title: null for rows that are no P&L amount (sales, tax collected and
    remitted by Etsy, deposits to the bank), `other_settlement_charge` for any
    other row rule 18 does not name.
-#}

with

landed as (

    {{ landed_latest_rows(source('etsy', 'statement_lines')) }}

),

final as (

    select
        statement_date,
        type,
        title,
        info,
        currency,
        amount,
        fees_and_taxes,
        net,
        tax_details,
        order_id,
        listing_id,
        case
            when
                type = 'Refund'
                and (title like 'Refund to buyer for Order #%' or title like 'Partial refund to buyer for Order #%')
                then 'refunds'
            when type = 'Fee' and (title like 'Transaction fee:%' or title like 'Credit for transaction fee%')
                then 'marketplace_fees'
            when type = 'Fee' and (title like 'Processing fee%' or title like 'Credit for processing fee%')
                then 'payment_fees'
            when type = 'Marketing' and title like 'Offsite Ads fee%' then 'ad_spend'
            when type = 'Shipping' and lower(title) like '%shipping label' then 'shipping_cost'
            when type = 'Fee' and title like 'Listing fee%' then 'listing_fee'
            when type = 'Marketing' and title = 'Etsy Ads' then 'marketplace_ads'
            -- Kept, not lost (metrics.md principle 1): VAT on fees, credits, a Type Etsy adds later.
            when type not in ('Sale', 'Tax', 'Deposit') then 'other_settlement_charge'
        end as statement_kind,
        business_date,
        {{ lineage_columns() }}
    from landed

)

select * from final
