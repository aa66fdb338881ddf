{#-
    One row per (fulfillment, line item) of Shopify API orders: which lines a
    parcel carried and its tracking number (docs/metrics.md rule 12). Only the
    API export has fulfillments; the CSV export has none, so a parcel of a
    CSV-only order goes to all of the order's lines. Fulfillments that did not
    succeed (cancelled, error, failure) carried nothing and are left out.
-#}

with

landed as (

    {{ landed_latest_rows(source('shopify', 'fulfillment_lines')) }}

),

final as (

    select
        fulfillment_id,
        order_id,
        cast(line_id as {{ dbt.type_string() }}) as line_id,
        quantity,
        status,
        tracking_company,
        nullif(trim(tracking_number), '') as tracking_number,
        created_at,
        business_date,
        {{ lineage_columns() }}
    from landed
    where coalesce(status, 'success') in ('success', 'open', 'pending')

)

select * from final
