{#- int_cogs_effective is SCD2: two cost rows of one SKU are never valid on the same day, and windows are not empty. -#}
select
    earlier.sku,
    earlier.valid_from as earlier_valid_from,
    earlier.valid_to as earlier_valid_to,
    later.valid_from as later_valid_from
from {{ ref('int_cogs_effective') }} as earlier
inner join {{ ref('int_cogs_effective') }} as later
    on
        earlier.sku = later.sku
        and earlier.valid_from < later.valid_from
        and (earlier.valid_to is null or earlier.valid_to > later.valid_from)

union all

select
    sku,
    valid_from,
    valid_to,
    null as later_valid_from
from {{ ref('int_cogs_effective') }}
where valid_to is not null and valid_to <= valid_from
