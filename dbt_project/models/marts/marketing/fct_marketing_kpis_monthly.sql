{#-
    The growth team's monthly KPIs (metrics.md "Marketing KPIs", docs/metrics.md
    rules 58-64), each computed by its one macro (macros/marketing_kpis.sql).
    Grain: one row per (kpi_month, channel, platform), at three levels:
      - a platform row (channel 'All channels'): the ad platform's spend and
        attributed net sales, ROAS; ACoS and TACoS on the Amazon Ads row;
      - a channel row (platform 'All platforms'): the sales channel's net sales,
        orders, AOV;
      - the month's total row ('All channels', 'All platforms'): MER, orders, AOV,
        and the customer KPIs (new and returning customers, CAC, repeat rates).
    Customer KPIs count only identified buyers (dim_customer: Shopify orders by
    hashed email); Amazon and Etsy orders carry no buyer identity and are in no
    customer KPI. Spend and attributed sales are read from fct_campaign_daily
    (default attribution model); sales from fct_financial_performance by order
    month (the order-date view).
-#}

with

campaign_daily as (

    select * from {{ ref('fct_campaign_daily') }}
    -- One row per attribution model (docs/metrics.md rule 52): the KPIs read the default model's.
    where attribution_model = '{{ default_attribution_model() }}'

),

order_lines as (

    select * from {{ ref('fct_financial_performance') }}

),

customers as (

    select * from {{ ref('dim_customer') }}

),

channels as (

    select * from {{ ref('channels') }}

),

campaign_months as (

    select
        cast({{ dbt.date_trunc('month', 'activity_date') }} as date) as kpi_month,
        platform,
        {{ to_cents('spend') }} as spend_cents,
        {{ to_cents('attributed_net_sales') }} as attributed_net_sales_cents
    from campaign_daily

),

platform_monthly as (

    select
        kpi_month,
        platform,
        sum(spend_cents) as spend_cents,
        sum(attributed_net_sales_cents) as attributed_net_sales_cents
    from campaign_months
    group by kpi_month, platform

),

{#- A placeholder line (a refund of an order never seen) has no units: it is no order. -#}
line_months as (

    select
        order_lines.channel,
        order_lines.order_id,
        order_lines.customer_key,
        order_lines.units,
        cast({{ dbt.date_trunc('month', 'order_lines.order_date') }} as date) as kpi_month,
        {{ to_cents('order_lines.net_sales') }} as net_sales_cents,
        case when channels.attribution_rule = 'amazon_ads_sku' then 1 else 0 end as is_amazon_channel
    from order_lines
    left join channels
        on order_lines.channel = channels.channel

),

channel_monthly as (

    select
        kpi_month,
        channel,
        max(is_amazon_channel) as is_amazon_channel,
        sum(net_sales_cents) as net_sales_cents,
        count(distinct case when units > 0 then order_id end) as orders
    from line_months
    group by kpi_month, channel

),

amazon_monthly as (

    select
        kpi_month,
        sum(net_sales_cents) as amazon_net_sales_cents
    from channel_monthly
    where is_amazon_channel = 1
    group by kpi_month

),

new_customers as (

    select
        first_order_month as kpi_month,
        count(*) as new_customers
    from customers
    group by first_order_month

),

returning_customers as (

    select
        line_months.kpi_month,
        count(distinct line_months.customer_key) as returning_customers
    from line_months
    inner join customers
        on line_months.customer_key = customers.customer_key
    where
        line_months.units > 0
        and customers.first_order_month < line_months.kpi_month
    group by line_months.kpi_month

),

data_end as (

    select max(order_date) as data_end_date
    from order_lines

),

{#-
    A cohort's repeat rate at N days counts once every customer of the cohort month
    has had N days to order again (the month's last day + N <= the data's last day);
    before that it is null rather than understated.
-#}
cohort_repeats as (

    select
        customers.first_order_month as kpi_month,
        {%- for days in [30, 60, 90] %}
            sum(case
                when {{ dbt.datediff('customers.first_order_date', 'customers.second_order_date', 'day') }} <= {{ days }}
                    then 1
                else 0
            end) as repeat_customers_{{ days }}d,
            max(case
                when {{ add_days(add_days(dbt.dateadd('month', 1, 'customers.first_order_month'), -1), days) }}
                    <= data_end.data_end_date
                    then 1
                else 0
            end) as is_observed_{{ days }}d,
        {%- endfor %}
        count(*) as cohort_customers
    from customers
    cross join data_end
    group by customers.first_order_month

),

cohort_repeat_rates as (

    select
        kpi_month,
        case
            when is_observed_30d = 1 then {{ kpi_repeat_rate('repeat_customers_30d', 'cohort_customers') }}
        end as repeat_rate_30d,
        case
            when is_observed_60d = 1 then {{ kpi_repeat_rate('repeat_customers_60d', 'cohort_customers') }}
        end as repeat_rate_60d,
        case
            when is_observed_90d = 1 then {{ kpi_repeat_rate('repeat_customers_90d', 'cohort_customers') }}
        end as repeat_rate_90d
    from cohort_repeats

),

acquisition_spend as (

    select
        kpi_month,
        sum(spend_cents) as acquisition_spend_cents
    from platform_monthly
    where platform in ({{ "'" ~ var('kpi_acquisition_ad_platforms') | join("', '") ~ "'" }})
    group by kpi_month

),

months as (

    select kpi_month from platform_monthly
    union
    select kpi_month from channel_monthly

),

platform_rows as (

    select
        platform_monthly.kpi_month,
        'All channels' as channel,
        platform_monthly.platform,
        platform_monthly.spend_cents,
        platform_monthly.attributed_net_sales_cents,
        cast(null as bigint) as net_sales_cents,
        cast(null as bigint) as orders,
        cast(null as bigint) as new_customers,
        cast(null as bigint) as returning_customers,
        cast(null as bigint) as acquisition_spend_cents,
        {{ kpi_roas('platform_monthly.attributed_net_sales_cents', 'platform_monthly.spend_cents') }} as roas,
        cast(null as numeric(18, 4)) as mer,
        case
            when platform_monthly.platform = '{{ var("kpi_amazon_ads_platform") }}'
                then {{ kpi_acos('platform_monthly.spend_cents', 'platform_monthly.attributed_net_sales_cents') }}
        end as acos,
        case
            when platform_monthly.platform = '{{ var("kpi_amazon_ads_platform") }}'
                then {{ kpi_tacos('platform_monthly.spend_cents', 'amazon_monthly.amazon_net_sales_cents') }}
        end as tacos,
        cast(null as numeric(18, 2)) as cac,
        cast(null as numeric(18, 2)) as aov,
        cast(null as numeric(18, 4)) as repeat_rate_30d,
        cast(null as numeric(18, 4)) as repeat_rate_60d,
        cast(null as numeric(18, 4)) as repeat_rate_90d
    from platform_monthly
    left join amazon_monthly
        on platform_monthly.kpi_month = amazon_monthly.kpi_month

),

channel_rows as (

    select
        kpi_month,
        channel,
        'All platforms' as platform,
        cast(null as bigint) as spend_cents,
        cast(null as bigint) as attributed_net_sales_cents,
        net_sales_cents,
        orders,
        cast(null as bigint) as new_customers,
        cast(null as bigint) as returning_customers,
        cast(null as bigint) as acquisition_spend_cents,
        cast(null as numeric(18, 4)) as roas,
        cast(null as numeric(18, 4)) as mer,
        cast(null as numeric(18, 4)) as acos,
        cast(null as numeric(18, 4)) as tacos,
        cast(null as numeric(18, 2)) as cac,
        {{ kpi_aov('net_sales_cents', 'orders') }} as aov,
        cast(null as numeric(18, 4)) as repeat_rate_30d,
        cast(null as numeric(18, 4)) as repeat_rate_60d,
        cast(null as numeric(18, 4)) as repeat_rate_90d
    from channel_monthly

),

platform_totals as (

    select
        kpi_month,
        sum(spend_cents) as spend_cents,
        sum(attributed_net_sales_cents) as attributed_net_sales_cents
    from platform_monthly
    group by kpi_month

),

channel_totals as (

    select
        kpi_month,
        sum(net_sales_cents) as net_sales_cents,
        sum(orders) as orders
    from channel_monthly
    group by kpi_month

),

month_totals as (

    select
        months.kpi_month,
        coalesce(platform_totals.spend_cents, 0) as spend_cents,
        coalesce(platform_totals.attributed_net_sales_cents, 0) as attributed_net_sales_cents,
        coalesce(channel_totals.net_sales_cents, 0) as net_sales_cents,
        coalesce(channel_totals.orders, 0) as orders
    from months
    left join platform_totals
        on months.kpi_month = platform_totals.kpi_month
    left join channel_totals
        on months.kpi_month = channel_totals.kpi_month

),

total_rows as (

    select
        month_totals.kpi_month,
        'All channels' as channel,
        'All platforms' as platform,
        month_totals.spend_cents,
        month_totals.attributed_net_sales_cents,
        month_totals.net_sales_cents,
        month_totals.orders,
        coalesce(new_customers.new_customers, 0) as new_customers,
        coalesce(returning_customers.returning_customers, 0) as returning_customers,
        coalesce(acquisition_spend.acquisition_spend_cents, 0) as acquisition_spend_cents,
        {{ kpi_roas('month_totals.attributed_net_sales_cents', 'month_totals.spend_cents') }} as roas,
        {{ kpi_mer('month_totals.net_sales_cents', 'month_totals.spend_cents') }} as mer,
        cast(null as numeric(18, 4)) as acos,
        cast(null as numeric(18, 4)) as tacos,
        {{ kpi_cac('coalesce(acquisition_spend.acquisition_spend_cents, 0)', 'coalesce(new_customers.new_customers, 0)') }}
            as cac,
        {{ kpi_aov('month_totals.net_sales_cents', 'month_totals.orders') }} as aov,
        cohort_repeat_rates.repeat_rate_30d,
        cohort_repeat_rates.repeat_rate_60d,
        cohort_repeat_rates.repeat_rate_90d
    from month_totals
    left join new_customers
        on month_totals.kpi_month = new_customers.kpi_month
    left join returning_customers
        on month_totals.kpi_month = returning_customers.kpi_month
    left join acquisition_spend
        on month_totals.kpi_month = acquisition_spend.kpi_month
    left join cohort_repeat_rates
        on month_totals.kpi_month = cohort_repeat_rates.kpi_month

),

unioned as (

    select * from platform_rows
    union all
    select * from channel_rows
    union all
    select * from total_rows

),

final as (

    select
        kpi_month,
        channel,
        platform,
        '{{ var("reporting_currency") }}' as reporting_currency,
        {{ from_cents('spend_cents') }} as spend,
        {{ from_cents('attributed_net_sales_cents') }} as attributed_net_sales,
        {{ from_cents('net_sales_cents') }} as net_sales,
        cast(orders as bigint) as orders,
        cast(new_customers as bigint) as new_customers,
        cast(returning_customers as bigint) as returning_customers,
        {{ from_cents('acquisition_spend_cents') }} as acquisition_spend,
        {#- Declared types again: a case or union loses them on PostgreSQL (and its unit tests compare by them). #}
        cast(roas as numeric(18, 4)) as roas,
        cast(mer as numeric(18, 4)) as mer,
        cast(acos as numeric(18, 4)) as acos,
        cast(tacos as numeric(18, 4)) as tacos,
        cast(cac as numeric(18, 2)) as cac,
        cast(aov as numeric(18, 2)) as aov,
        cast(repeat_rate_30d as numeric(18, 4)) as repeat_rate_30d,
        cast(repeat_rate_60d as numeric(18, 4)) as repeat_rate_60d,
        cast(repeat_rate_90d as numeric(18, 4)) as repeat_rate_90d
    from unioned

)

select * from final
