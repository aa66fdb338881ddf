{#-
    Restock recommendations: one row per SKU and restock location (FBA per marketplace, the brand's own
    warehouse) at its latest inventory snapshot (docs/metrics.md, "Inventory and restock", rules 65-69).
    Velocity is units sold per day over the `restock_velocity_window_days` days before the snapshot day,
    stock-out days excluded; safety stock = z(service level) x sd of daily demand x sqrt(lead time); reorder
    point = velocity x lead time + safety stock; when on hand + inbound is at or below the reorder point, the
    suggested quantity brings it up to velocity x (lead time + review period) + safety stock, rounded up to
    whole case packs. Urgent when days of cover (on hand / velocity) is below the lead time.
-#}

{%- set window_days = var('restock_velocity_window_days') | int -%}
{%- set review_days = var('restock_review_period_days') | int -%}

with

snapshots as (

    select * from {{ ref('int_inventory_snapshots_unioned') }}

),

order_lines as (

    select * from {{ ref('int_order_lines') }}

),

channels as (

    select * from {{ ref('channels') }}

),

products as (

    select * from {{ ref('dim_product') }}

),

supplier_lead_times as (

    select * from {{ ref('supplier_lead_times') }}

),

day_offsets as (

    {{ day_offsets(window_days + 1) }}

),

latest_per_place as (

    select
        *,
        row_number() over (partition by physical_location, sku order by as_of_date desc) as recency
    from snapshots

),

current_stock as (

    select
        location,
        location_type,
        marketplace,
        sku,
        max(as_of_date) as as_of_date,
        sum(on_hand) as on_hand,
        sum(inbound) as inbound
    from latest_per_place
    where recency = 1
    group by location, location_type, marketplace, sku

),

daily_stock as (

    select
        location,
        sku,
        as_of_date,
        sum(on_hand) as on_hand
    from snapshots
    group by location, sku, as_of_date

),

-- Units leave FBA stock through the channel Amazon fulfils and the brand's own stock through the channels
-- it ships itself; cancelled lines sold nothing.
daily_sales as (

    select
        case when channels.fulfillment = 'amazon' then 'amazon_fba' else 'own' end as location_type,
        case when channels.fulfillment = 'amazon' then order_lines.marketplace end as marketplace,
        order_lines.sku,
        order_lines.order_date,
        sum(order_lines.units) as units
    from order_lines
    inner join channels
        on order_lines.channel = channels.channel
    where
        channels.fulfillment in ('amazon', 'merchant')
        and not order_lines.is_cancelled
    group by
        case when channels.fulfillment = 'amazon' then 'amazon_fba' else 'own' end,
        case when channels.fulfillment = 'amazon' then order_lines.marketplace end,
        order_lines.sku,
        order_lines.order_date

),

-- A place with a marketplace (FBA) takes that marketplace's sales, a place without one (the brand's own stock)
-- the sales of every marketplace, keyed `(every marketplace)`: window days then meet sales on equal keys only
-- (an OR in the join condition made it a nested-loop join of every window day with every sales day).
daily_sales_by_match as (

    select
        location_type,
        marketplace as match_marketplace,
        sku,
        order_date,
        sum(units) as units
    from daily_sales
    where marketplace is not null
    group by location_type, marketplace, sku, order_date

    union all

    select
        location_type,
        '(every marketplace)' as match_marketplace,
        sku,
        order_date,
        sum(units) as units
    from daily_sales
    group by location_type, sku, order_date

),

window_days as (

    select
        current_stock.location,
        current_stock.location_type,
        current_stock.marketplace,
        current_stock.sku,
        {{ add_days('current_stock.as_of_date', '0 - day_offsets.day_offset') }} as sales_date
    from current_stock
    inner join day_offsets
        on day_offsets.day_offset between 1 and {{ window_days }}

),

window_sales as (

    select
        window_days.location,
        window_days.sku,
        window_days.sales_date,
        coalesce(sum(daily_sales_by_match.units), 0) as units
    from window_days
    left join daily_sales_by_match
        on
            window_days.location_type = daily_sales_by_match.location_type
            and window_days.sku = daily_sales_by_match.sku
            and window_days.sales_date = daily_sales_by_match.order_date
            and coalesce(window_days.marketplace, '(every marketplace)') = daily_sales_by_match.match_marketplace
    group by window_days.location, window_days.sku, window_days.sales_date

),

-- A stock-out day shows nothing on hand in that day's snapshot and sold nothing; days without a snapshot
-- count as in stock.
window_flagged as (

    select
        window_sales.location,
        window_sales.sku,
        window_sales.units,
        case when daily_stock.on_hand = 0 and window_sales.units = 0 then 1 else 0 end as is_stock_out_day
    from window_sales
    left join daily_stock
        on
            window_sales.location = daily_stock.location
            and window_sales.sku = daily_stock.sku
            and window_sales.sales_date = daily_stock.as_of_date

),

demand as (

    select
        location,
        sku,
        sum(is_stock_out_day) as stock_out_days,
        sum(1 - is_stock_out_day) as in_stock_days,
        sum(case when is_stock_out_day = 0 then units else 0 end) as in_stock_units,
        stddev_samp(case when is_stock_out_day = 0 then cast(units as {{ dbt.type_float() }}) end) as demand_sd
    from window_flagged
    group by location, sku

),

-- Lead time and case pack: the SKU's own row, else its vendor's, else the default row (no vendor, no SKU).
with_terms as (

    select
        current_stock.*,
        demand.stock_out_days,
        demand.in_stock_days,
        demand.in_stock_units,
        coalesce(demand.demand_sd, 0) as demand_sd,
        coalesce(by_sku.lead_time_days, by_vendor.lead_time_days, by_default.lead_time_days) as lead_time_days,
        coalesce(by_sku.case_pack, by_vendor.case_pack, by_default.case_pack) as case_pack
    from current_stock
    inner join demand
        on current_stock.location = demand.location and current_stock.sku = demand.sku
    left join products
        on current_stock.sku = products.sku
    left join supplier_lead_times as by_sku
        on current_stock.sku = by_sku.sku
    left join supplier_lead_times as by_vendor
        on by_vendor.sku is null and products.vendor = by_vendor.vendor
    left join supplier_lead_times as by_default
        on by_default.sku is null and by_default.vendor is null

),

policy as (

    select
        *,
        case
            when in_stock_days > 0 then cast(in_stock_units as {{ dbt.type_float() }}) / in_stock_days else 0
        end as velocity_exact,
        {{ service_level_z(var('restock_service_level')) }} * demand_sd
        * sqrt(cast(lead_time_days as {{ dbt.type_float() }})) as safety_stock_exact,
        on_hand + inbound as inventory_position
    from with_terms

),

levels as (

    select
        *,
        velocity_exact * lead_time_days + safety_stock_exact as reorder_point_exact,
        velocity_exact * (lead_time_days + {{ review_days }}) + safety_stock_exact as order_up_to_exact
    from policy

),

final as (

    select
        sku,
        location,
        location_type,
        marketplace,
        as_of_date,
        cast(on_hand as {{ dbt.type_bigint() }}) as on_hand,
        cast(inbound as {{ dbt.type_bigint() }}) as inbound,
        cast(inventory_position as {{ dbt.type_bigint() }}) as inventory_position,
        cast(stock_out_days as {{ dbt.type_bigint() }}) as stock_out_days,
        cast(in_stock_units as {{ dbt.type_bigint() }}) as units_sold_in_window,
        cast(round(cast(velocity_exact as numeric(28, 10)), 4) as numeric(18, 4)) as velocity,
        -- on_hand / velocity = on_hand x in-stock days / units, rounded half up to tenths in integers (exact).
        case
            when in_stock_units > 0
                then cast(
                        floor(
                            cast(20 * on_hand * in_stock_days + in_stock_units as {{ dbt.type_float() }})
                            / (2 * in_stock_units)
                        ) / 10 as numeric(18, 1)
                    )
        end as days_of_cover,
        cast(lead_time_days as {{ dbt.type_bigint() }}) as lead_time_days,
        cast(case_pack as {{ dbt.type_bigint() }}) as case_pack,
        cast(round(cast(demand_sd as numeric(28, 10)), 4) as numeric(18, 4)) as demand_sd,
        cast(round(cast(safety_stock_exact as numeric(28, 10)), 2) as numeric(18, 2)) as safety_stock,
        cast(round(cast(reorder_point_exact as numeric(28, 10)), 2) as numeric(18, 2)) as reorder_point,
        cast(round(cast(order_up_to_exact as numeric(28, 10)), 2) as numeric(18, 2)) as order_up_to_level,
        cast(
            case
                when velocity_exact > 0 and inventory_position <= reorder_point_exact
                    then ceil((order_up_to_exact - inventory_position) / case_pack) * case_pack
                else 0
            end as {{ dbt.type_bigint() }}
        ) as suggested_quantity,
        -- Days of cover below the lead time, compared in integers: on_hand x days < units x lead time.
        coalesce(in_stock_units > 0 and on_hand * in_stock_days < in_stock_units * lead_time_days, false) as urgent
    from levels

)

select * from final
