{#-
    One row per charge of the Shopify bill export (Settings > Billing > a bill >
    Export): Shopify Shipping labels and their adjustments (charge category
    naming shipping; `order_name` from the `Order` column, else `#<number>` in
    the description), the plan subscription and app charges. Amounts are
    charges (positive) or credits (negative) in the bill currency (USD for
    Shopify Shipping). `is_shipping_label` marks the shipping rows
    (docs/metrics.md rule 12).
-#}

with

landed as (

    {{ landed_latest_rows(source('shopify', 'billing_charges')) }}

),

final as (

    select
        bill_number,
        charge_category,
        description,
        app,
        nullif(trim(order_name), '') as order_name,
        charged_on,
        amount,
        currency,
        coalesce(lower(charge_category) like '%shipping%', false) as is_shipping_label,
        business_date,
        {{ lineage_columns() }}
    from landed

)

select * from final
