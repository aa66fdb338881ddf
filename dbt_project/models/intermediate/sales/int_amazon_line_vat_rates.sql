{#-
    The VAT rate in each Amazon line's prices (docs/metrics.md rule 28): EU
    marketplaces sell VAT-inclusive. One row per line of the All Orders report
    and per line a refund names that the report never showed (rule 27), with
    the `amazon_vat_rates` seed rate of its marketplace and tax class effective
    on the line's date (the latest effective_from on or before the order date,
    or the first refund's posted date for a placeholder line); 0 where the seed
    has no rate (Amazon.com, Amazon.ca: tax-exclusive prices). Every product is
    of tax class `standard` (products.csv carries no tax class).
    `is_vat_withheld`: the line's settlement rows show Amazon withholding the
    VAT (ItemWithheldTax / MarketplaceFacilitatorVAT-*: Amazon is the deemed
    supplier and remits it), so its VAT stays outside the P&L like US
    marketplace-facilitator tax; otherwise the VAT is `taxes`.
-#}

with

amazon_orders as (

    select * from {{ ref('stg_amazon__orders') }}

),

settlement_amounts as (

    select * from {{ ref('int_settlement_amounts_mapped') }}

),

vat_rates as (

    select * from {{ ref('amazon_vat_rates') }}
    where tax_class = 'standard'

),

order_report_lines as (

    select
        {{ dbt.concat(['amazon_order_id', "'-'", 'sku']) }} as order_line_id,
        min(sales_channel) as marketplace,
        min(cast({{ to_brand_date('purchase_date') }} as date)) as line_date
    from amazon_orders
    group by {{ dbt.concat(['amazon_order_id', "'-'", 'sku']) }}

),

-- Lines only a refund names (the placeholder lines of int_amazon_order_lines_prepared), dated alike.
refund_only_lines as (

    select
        settlement_amounts.order_line_id,
        min(settlement_amounts.marketplace_name) as marketplace,
        min(settlement_amounts.posted_date) as line_date
    from settlement_amounts
    left join order_report_lines
        on settlement_amounts.order_line_id = order_report_lines.order_line_id
    where
        settlement_amounts.mapping_kind = 'measure'
        and settlement_amounts.maps_to = 'refunds'
        and lower(settlement_amounts.transaction_type) != 'order'
        and settlement_amounts.order_line_id is not null
        and order_report_lines.order_line_id is null
    group by settlement_amounts.order_line_id

),

all_lines as (

    select * from order_report_lines
    union all
    select * from refund_only_lines

),

rate_candidates as (

    select
        all_lines.order_line_id,
        cast(round(vat_rates.rate * 1000000, 0) as bigint) as vat_rate_e6,
        row_number() over (
            partition by all_lines.order_line_id
            order by vat_rates.effective_from desc
        ) as rate_rank
    from all_lines
    inner join vat_rates
        on
            all_lines.marketplace = vat_rates.marketplace
            and all_lines.line_date >= vat_rates.effective_from

),

withheld_lines as (

    select distinct order_line_id
    from settlement_amounts
    where
        amount_type = 'ItemWithheldTax'
        and amount_description like 'MarketplaceFacilitatorVAT%'
        and order_line_id is not null

),

final as (

    select
        all_lines.order_line_id,
        all_lines.marketplace,
        cast(coalesce(rate_candidates.vat_rate_e6, 0) as bigint) as vat_rate_e6,
        withheld_lines.order_line_id is not null as is_vat_withheld
    from all_lines
    left join rate_candidates
        on
            all_lines.order_line_id = rate_candidates.order_line_id
            and rate_candidates.rate_rank = 1
    left join withheld_lines
        on all_lines.order_line_id = withheld_lines.order_line_id

)

select * from final
