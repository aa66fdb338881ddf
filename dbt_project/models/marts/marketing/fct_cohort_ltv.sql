{#-
    Cohort LTV on margin and CAC payback (metrics.md "Marketing KPIs", docs/metrics.md
    rules 62-64). Grain: one row per (cohort_month, months_since_first_order) from
    month 0 (the cohort's first-order month) to the last month with orders.
    A cohort is the customers (dim_customer) whose first order falls in
    cohort_month; their CM2 is every line of theirs on fct_financial_performance,
    in the month of its order (the order-date view: a later refund lowers the
    order's month). Amazon and Etsy lines have no buyer identity and are in no
    cohort. CAC is the cohort month's CAC from fct_marketing_kpis_monthly.
-#}

with

order_lines as (

    select * from {{ ref('fct_financial_performance') }}

),

customers as (

    select * from {{ ref('dim_customer') }}

),

monthly_kpis as (

    select * from {{ ref('fct_marketing_kpis_monthly') }}

),

dates as (

    select * from {{ ref('dim_date') }}

),

cohorts as (

    select
        first_order_month as cohort_month,
        count(*) as customers
    from customers
    group by first_order_month

),

data_end as (

    select cast({{ dbt.date_trunc('month', 'max(order_date)') }} as date) as data_end_month
    from order_lines

),

months as (

    select distinct month_start_date as activity_month
    from dates

),

cohort_months as (

    select
        cohorts.cohort_month,
        cohorts.customers,
        {{ dbt.datediff('cohorts.cohort_month', 'months.activity_month', 'month') }} as months_since_first_order
    from cohorts
    cross join data_end
    inner join months
        on
            cohorts.cohort_month <= months.activity_month
            and data_end.data_end_month >= months.activity_month

),

customer_lines as (

    select
        customers.first_order_month as cohort_month,
        {{ dbt.datediff(
            'customers.first_order_month',
            dbt.date_trunc('month', 'order_lines.order_date'),
            'month'
        ) }} as months_since_first_order,
        {{ to_cents('order_lines.contribution_margin_2') }} as cm2_cents
    from order_lines
    inner join customers
        on order_lines.customer_key = customers.customer_key

),

cohort_margin as (

    select
        cohort_month,
        months_since_first_order,
        sum(cm2_cents) as cm2_cents
    from customer_lines
    group by cohort_month, months_since_first_order

),

cumulated as (

    select
        cohort_months.cohort_month,
        cohort_months.months_since_first_order,
        cohort_months.customers,
        sum(coalesce(cohort_margin.cm2_cents, 0)) over (
            partition by cohort_months.cohort_month
            order by cohort_months.months_since_first_order
            rows between unbounded preceding and current row
        ) as cumulative_cm2_cents
    from cohort_months
    left join cohort_margin
        on
            cohort_months.cohort_month = cohort_margin.cohort_month
            and cohort_months.months_since_first_order = cohort_margin.months_since_first_order

),

with_cac as (

    select
        cumulated.cohort_month,
        cumulated.months_since_first_order,
        cumulated.customers,
        cumulated.cumulative_cm2_cents,
        {{ kpi_ltv_cm2_per_customer('cumulated.cumulative_cm2_cents', 'cumulated.customers') }}
            as cumulative_cm2_per_customer,
        monthly_kpis.cac
    from cumulated
    left join monthly_kpis
        on
            cumulated.cohort_month = monthly_kpis.kpi_month
            and monthly_kpis.channel = 'All channels'
            and monthly_kpis.platform = 'All platforms'

),

paid_back as (

    select
        *,
        {{ kpi_is_paid_back('cumulative_cm2_per_customer', 'cac') }} as is_paid_back
    from with_cac

),

final as (

    select
        cohort_month,
        cast(months_since_first_order as integer) as months_since_first_order,
        cast(customers as bigint) as customers,
        '{{ var("reporting_currency") }}' as reporting_currency,
        {{ from_cents('cumulative_cm2_cents') }} as cumulative_cm2,
        cast(cumulative_cm2_per_customer as numeric(18, 2)) as cumulative_cm2_per_customer,
        cast(cac as numeric(18, 2)) as cac,
        is_paid_back,
        cast(
            {{ kpi_cac_payback_months('is_paid_back', 'months_since_first_order') }} over (partition by cohort_month)
            as integer
        ) as cac_payback_months
    from paid_back

)

select * from final
