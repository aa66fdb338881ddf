{#-
    One row per calendar date of the data range (the dates int_fx_rates_daily
    spans: every rate and every event date of the sources). Built from a cross
    join of digits (portable: no generate_series). Day of week is ISO (Monday 1
    ... Sunday 7); weeks start on Monday.
-#}

with

fx_rates_daily as (

    select * from {{ ref('int_fx_rates_daily') }}

),

date_range as (

    select
        min(rate_date) as first_date,
        max(rate_date) as last_date
    from fx_rates_daily

),

day_offsets as (

    {{ day_offsets() }}

),

spine as (

    select {{ add_days('date_range.first_date', 'day_offsets.day_offset') }} as date_day
    from date_range
    inner join day_offsets
        on day_offsets.day_offset <= {{ days_between('date_range.first_date', 'date_range.last_date') }}

),

parts as (

    select
        date_day,
        cast(extract(year from date_day) as integer) as year_number,
        cast(extract(quarter from date_day) as integer) as quarter_number,
        cast(extract(month from date_day) as integer) as month_number,
        cast(extract(day from date_day) as integer) as day_of_month,
        cast(extract(dow from date_day) as integer) as day_of_week_sunday_0
    from spine

),

final as (

    select
        date_day,
        year_number,
        quarter_number,
        month_number,
        day_of_month,
        case when day_of_week_sunday_0 = 0 then 7 else day_of_week_sunday_0 end as day_of_week,
        case day_of_week_sunday_0
            when 1 then 'Monday'
            when 2 then 'Tuesday'
            when 3 then 'Wednesday'
            when 4 then 'Thursday'
            when 5 then 'Friday'
            when 6 then 'Saturday'
            else 'Sunday'
        end as day_name,
        case month_number
            when 1 then 'January'
            when 2 then 'February'
            when 3 then 'March'
            when 4 then 'April'
            when 5 then 'May'
            when 6 then 'June'
            when 7 then 'July'
            when 8 then 'August'
            when 9 then 'September'
            when 10 then 'October'
            when 11 then 'November'
            else 'December'
        end as month_name,
        {{ add_days('date_day', '1 - (case when day_of_week_sunday_0 = 0 then 7 else day_of_week_sunday_0 end)') }}
            as week_start_date,
        {{ add_days('date_day', '1 - day_of_month') }} as month_start_date,
        cast({{ dbt.concat([
            'cast(year_number as ' ~ dbt.type_string() ~ ')',
            "'-'",
            "case when month_number < 10 then '0' else '' end",
            'cast(month_number as ' ~ dbt.type_string() ~ ')',
        ]) }} as varchar(7)) as year_month,
        coalesce(day_of_week_sunday_0 in (0, 6), false) as is_weekend
    from parts

)

select * from final
