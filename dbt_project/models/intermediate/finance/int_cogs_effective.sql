{#-
    Landed unit cost per SKU as a type-2 history (metrics.md, cogs): each cost row
    of the brand's cost file is valid from its `effective_from` (inclusive) until
    the SKU's next `effective_from` (exclusive; null while current). A line's cost
    is the row whose window contains its order date.
-#}

with

cogs as (

    select * from {{ ref('stg_brand__cogs') }}

),

final as (

    select
        sku,
        effective_from as valid_from,
        lead(effective_from) over (partition by sku order by effective_from) as valid_to,
        currency,
        cast(unit_cost as numeric(18, 4)) as unit_cost,
        cast(coalesce(inbound_freight_per_unit, 0) as numeric(18, 4)) as inbound_freight_per_unit,
        cast(coalesce(duty_per_unit, 0) as numeric(18, 4)) as duty_per_unit,
        cast(
            unit_cost + coalesce(inbound_freight_per_unit, 0) + coalesce(duty_per_unit, 0)
            as numeric(18, 4)
        ) as landed_unit_cost,
        coalesce(lead(effective_from) over (partition by sku order by effective_from) is null, false) as is_current
    from cogs

)

select * from final
