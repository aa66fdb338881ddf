{{ config(severity='warn', store_failures=true, meta={'dagster': {'ref': {'name': 'int_amazon_ad_charge_reconciliation'}}}) }}
{#-
    docs/metrics.md rule 40: per month and marketplace, the settlement's Cost of Advertising equals
    the Amazon Ads reports' spend. Names each month whose charge differs, with the settlement files
    and the amounts: the difference is already a daily cost (`unreported_ad_charge`), so nothing is
    lost, but a large one usually means a report was not exported (download the missing ad product's
    report) or a credit was granted.
-#}

select
    charge_month,
    marketplace_name,
    source_currency,
    settlement_files,
    charged_source,
    reported_source,
    difference_source,
    'Cost of Advertising in ' || settlement_files || ' differs from the Amazon Ads reports by '
    || cast(difference_source as {{ dbt.type_string() }}) || ' ' || source_currency
    || ' (charged ' || cast(charged_source as {{ dbt.type_string() }}) || ', reported '
    || cast(reported_source as {{ dbt.type_string() }}) || '): booked as unreported_ad_charge' as failure_message
from {{ ref('int_amazon_ad_charge_reconciliation') }}
where difference_source_cents != 0
