{#-
    Every inventory snapshot, one row per physical location, SKU and day, with the restock location its stock
    belongs to (docs/metrics.md, "Inventory and restock"):
    - FBA stock of a marketplace (FBA Manage Inventory report): location `Amazon FBA <marketplace>`, sold by the
      `Amazon FBA` channel's lines of that marketplace (`Amazon FBA` alone when the file name named none: all
      FBA sales). On hand = `afn-fulfillable-quantity` (what Amazon can ship now); inbound = working + shipped
      + receiving inbound units.
    - The brand's own places (Shopify locations, stock-count locations): pooled into one location (var
      `restock_own_location`), sold by every channel the brand ships itself (seeds/channels.csv `fulfillment`
      = merchant: Shopify, Amazon FBM, Etsy), because an order does not say which own place shipped it.
      Shopify on hand = `Available` (on hand less units committed to unfulfilled orders, which velocity counts
      already, and unavailable units), never below 0; inbound = `Incoming`; `not stocked` rows are skipped.
    A stock count beats the Shopify export of the same place, SKU and day (it is what was physically found).
-#}

with

fba_inventory as (

    select * from {{ ref('stg_amazon__fba_inventory') }}

),

shopify_inventory as (

    select * from {{ ref('stg_shopify__inventory_levels') }}

),

stock_counts as (

    select * from {{ ref('stg_brand__stock_counts') }}

),

unioned as (

    select
        'amazon_fba_inventory' as snapshot_source,
        1 as source_priority,
        'amazon_fba' as location_type,
        marketplace,
        case when marketplace is null then 'Amazon FBA' else 'Amazon FBA ' || marketplace end as physical_location,
        sku,
        as_of_date,
        greatest(afn_fulfillable_quantity, 0) as on_hand,
        afn_inbound_working_quantity + afn_inbound_shipped_quantity + afn_inbound_receiving_quantity as inbound
    from fba_inventory

    union all

    select
        'shopify_inventory_csv' as snapshot_source,
        1 as source_priority,
        'own' as location_type,
        cast(null as {{ dbt.type_string() }}) as marketplace,
        location as physical_location,
        sku,
        as_of_date,
        greatest(coalesce(available, on_hand, 0), 0) as on_hand,
        greatest(coalesce(incoming, 0), 0) as inbound
    from shopify_inventory
    where is_stocked

    union all

    select
        'brand_stock_counts' as snapshot_source,
        0 as source_priority,
        'own' as location_type,
        cast(null as {{ dbt.type_string() }}) as marketplace,
        location as physical_location,
        sku,
        counted_on as as_of_date,
        on_hand,
        coalesce(inbound, 0) as inbound
    from stock_counts

),

ranked as (

    select
        *,
        row_number() over (
            partition by physical_location, sku, as_of_date
            order by source_priority
        ) as source_rank
    from unioned

),

final as (

    select
        case
            when location_type = 'amazon_fba' then physical_location
            else '{{ var("restock_own_location") }}'
        end as location,
        location_type,
        marketplace,
        physical_location,
        sku,
        as_of_date,
        cast(on_hand as {{ dbt.type_bigint() }}) as on_hand,
        cast(inbound as {{ dbt.type_bigint() }}) as inbound,
        snapshot_source
    from ranked
    where source_rank = 1

)

select * from final
