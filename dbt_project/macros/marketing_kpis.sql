{#-
    The marketing KPIs (metrics.md "Marketing KPIs", docs/metrics.md rules 58-64),
    each defined once here; fct_marketing_kpis_monthly, fct_cohort_ltv and
    fct_campaign_daily read them. Every input is an integer: money in cents,
    people and orders as counts. Ratios are rounded half away from zero to 4
    decimals, money per order or customer to the cent, in integer arithmetic
    (div_round), so DuckDB, PostgreSQL, Redshift and the polars truth agree to
    the last digit. A KPI whose denominator is zero is null (no spend, no
    customers), never 0 or infinity.
-#}

{#- numerator / denominator as numeric(18, 4), rounded half away from zero; null when denominator <= 0. -#}
{% macro kpi_ratio(numerator, denominator) -%}
    (case
        when ({{ denominator }}) > 0
            then cast(
                cast({{ div_round('cast(' ~ numerator ~ ' as bigint) * 10000', denominator) }} as numeric(20, 0))
                / 10000 as numeric(18, 4)
            )
    end)
{%- endmacro %}

{#- money cents / count as numeric(18, 2), rounded half away from zero to the cent; null when count <= 0. -#}
{% macro kpi_money_per(amount_cents, count) -%}
    (case
        when ({{ count }}) > 0 then {{ from_cents(div_round(amount_cents, count)) }}
    end)
{%- endmacro %}

{#- ROAS = attributed net_sales / ad spend (the default attribution model's credit). -#}
{% macro kpi_roas(attributed_net_sales_cents, spend_cents) -%}
    {{ kpi_ratio(attributed_net_sales_cents, spend_cents) }}
{%- endmacro %}

{#- MER (blended) = total net_sales / total ad spend (revenue over spend, not inverted). -#}
{% macro kpi_mer(net_sales_cents, spend_cents) -%}
    {{ kpi_ratio(net_sales_cents, spend_cents) }}
{%- endmacro %}

{#- ACoS = Amazon Ads spend / Amazon-Ads-attributed sales. -#}
{% macro kpi_acos(amazon_ads_spend_cents, amazon_ads_attributed_sales_cents) -%}
    {{ kpi_ratio(amazon_ads_spend_cents, amazon_ads_attributed_sales_cents) }}
{%- endmacro %}

{#- TACoS = Amazon Ads spend / all Amazon net_sales (every Amazon channel, attributed or not). -#}
{% macro kpi_tacos(amazon_ads_spend_cents, amazon_net_sales_cents) -%}
    {{ kpi_ratio(amazon_ads_spend_cents, amazon_net_sales_cents) }}
{%- endmacro %}

{#- CAC = customer-acquisition ad spend / new customers (customers whose first order is in the period). -#}
{% macro kpi_cac(acquisition_spend_cents, new_customers) -%}
    {{ kpi_money_per(acquisition_spend_cents, new_customers) }}
{%- endmacro %}

{#- AOV = net_sales / orders. -#}
{% macro kpi_aov(net_sales_cents, orders) -%}
    {{ kpi_money_per(net_sales_cents, orders) }}
{%- endmacro %}

{#- Repeat rate = cohort customers with a second order within the window / cohort customers. -#}
{% macro kpi_repeat_rate(repeat_customers, cohort_customers) -%}
    {{ kpi_ratio(repeat_customers, cohort_customers) }}
{%- endmacro %}

{#- LTV = a cohort's cumulative CM2 / the cohort's customers (money per customer). -#}
{% macro kpi_ltv_cm2_per_customer(cumulative_cm2_cents, cohort_customers) -%}
    {{ kpi_money_per(cumulative_cm2_cents, cohort_customers) }}
{%- endmacro %}

{#-
    CAC payback: a cohort month is paid back once its cumulative CM2 per customer
    reaches the cohort month's CAC (both rounded to the cent first, as the mart shows
    them); null without a CAC. Payback months = the first months_since_first_order
    that is paid back (min over the cohort's rows; null while it is not yet).
-#}
{% macro kpi_is_paid_back(ltv_cm2_per_customer, cac) -%}
    (case
        when ({{ cac }}) is not null and ({{ ltv_cm2_per_customer }}) is not null
            then ({{ ltv_cm2_per_customer }}) >= ({{ cac }})
    end)
{%- endmacro %}

{% macro kpi_cac_payback_months(is_paid_back, months_since_first_order) -%}
    min(case when {{ is_paid_back }} then {{ months_since_first_order }} end)
{%- endmacro %}
