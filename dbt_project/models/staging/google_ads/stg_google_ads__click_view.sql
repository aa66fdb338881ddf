with

landed as (

    {{ landed_latest_rows(source('google_ads', 'click_view')) }}

),

final as (

    select
        gclid,
        campaign_id,
        date,
        business_date,
        {{ lineage_columns() }}
    from landed

)

select * from final
