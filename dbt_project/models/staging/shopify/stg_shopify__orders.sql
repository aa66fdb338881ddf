{#-
    Incremental by affected orders (macros/incremental.sql, landed_changed_keys): a run recomputes the whole
    orders whose CSV or API rows landed since the last build, whose stored delivery was retracted or whose
    stored row's customer was erased, from every visible version of them, so the API-over-CSV precedence and
    latest-wins still decide; orders no visible delivery holds any more are deleted. A change of the customer
    hash salt needs `--full-refresh`.
-#}
{%- set changed_by = [[source('shopify', 'orders'), 'order_id']] -%}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='order_id',
    on_schema_change='fail',
    post_hook="{{ delete_hidden_source_rows() }}",
) }}

with

{% if is_incremental() -%}
    changed_orders as (

        {{ affected_keys(changed_by, 'order_id') }}
        union
        -- An erased customer (ingestion/erasure.py) loses, in place, the email its stored customer_key was hashed from.
        select erased_rows.order_id as changed_key
        from {{ source('shopify', 'orders') }} as erased_rows
        inner join {{ this }} as built
            on
                erased_rows._source_sha256 = built._source_sha256
                and erased_rows._source_row = built._source_row
                and erased_rows._record_key = built._record_key
        where erased_rows.email is null and built.customer_key is not null

    ),

{% endif -%}
landed as (

    {{ landed_latest_rows(
        source('shopify', 'orders'),
        prefer_format='shopify_orders_json',
        only_keys=['order_id', 'changed_orders'] if is_incremental() else none,
    ) }}

),

final as (

    select
        order_id,
        order_name,
        {{ customer_key('email') }} as customer_key,
        created_at,
        created_at_local,
        processed_at,
        updated_at,
        paid_at,
        fulfilled_at,
        cancelled_at,
        financial_status,
        fulfillment_status,
        currency,
        presentment_currency,
        subtotal,
        total_line_items_price,
        total_discounts,
        shipping,
        shipping_discount,
        shipping_tax,
        taxes,
        total,
        refunded_amount,
        outstanding_balance,
        taxes_included,
        discount_codes,
        shipping_method,
        payment_method,
        source_name,
        landing_site,
        referring_site,
        note_attributes,
        customer_id,
        shipping_country,
        shipping_province,
        shipping_zip,
        tags,
        business_date,
        case
            when _source_format = 'shopify_orders_json' then 'shopify_api'
            else 'shopify_csv'
        end as order_source,
        {{ lineage_columns() }},
        ({{ landed_through(changed_by) }}) as _landed_through
    from landed

)

select * from final
