{#-
    One row per SKU (metrics.md `dim_product`): the brand's product master
    (name, category, vendor, unit weight, FBA size tier) with its ASINs: the
    main `asin` (Amazon.com, else the first marketplace's) and one column per
    marketplace of the SKU-ASIN map. SKUs sold but missing from the product
    master still get a row (attributes null, `is_in_product_master` false) so
    every fact line finds its product.
-#}

with

products as (

    select * from {{ ref('stg_brand__products') }}

),

sku_asin_map as (

    select * from {{ ref('stg_brand__sku_asin_map') }}

),

order_lines as (

    select * from {{ ref('int_order_lines') }}

),

skus as (

    select sku from products
    union
    select sku from order_lines
    union
    select sku from sku_asin_map

),

asins as (

    select
        sku,
        max(case when marketplace = 'Amazon.com' then asin end) as asin_amazon_com,
        max(case when marketplace = 'Amazon.ca' then asin end) as asin_amazon_ca,
        max(case when marketplace = 'Amazon.de' then asin end) as asin_amazon_de,
        min(asin) as any_asin
    from sku_asin_map
    group by 1

),

final as (

    select
        cast(skus.sku as varchar(64)) as sku,
        cast(products.product_name as varchar(256)) as product_name,
        cast(products.category as varchar(64)) as category,
        cast(products.vendor as varchar(128)) as vendor,
        cast(products.weight_kg as numeric(18, 3)) as weight_kg,
        cast(products.size_tier as varchar(64)) as size_tier,
        cast(coalesce(asins.asin_amazon_com, asins.any_asin) as varchar(32)) as asin,
        cast(asins.asin_amazon_com as varchar(32)) as asin_amazon_com,
        cast(asins.asin_amazon_ca as varchar(32)) as asin_amazon_ca,
        cast(asins.asin_amazon_de as varchar(32)) as asin_amazon_de,
        coalesce(products.sku is not null, false) as is_in_product_master
    from skus
    left join products
        on skus.sku = products.sku
    left join asins
        on skus.sku = asins.sku

)

select * from final
