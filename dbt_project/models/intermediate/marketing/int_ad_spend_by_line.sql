{#-
    The ad spend each order line carries (fct_financial_performance `ad_spend`,
    the default attribution model, var attribution_model): the sum of its allocated shares over platforms,
    campaigns and spend days. Lines without any share have no row (0 on the fact).
-#}

with

allocated as (

    select * from {{ ref('int_ad_spend_allocated') }}
    where attribution_model = '{{ default_attribution_model() }}'

),

final as (

    select
        order_line_id,
        sum(amount_cents) as ad_spend_cents,
        {{ from_cents('sum(amount_cents)') }} as ad_spend
    from allocated
    group by order_line_id

)

select * from final
