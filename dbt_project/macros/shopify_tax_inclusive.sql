{#-
    Tax-inclusive Shopify prices (docs/metrics.md rules 36-38). One definition for every
    model and test that backs tax out of tax-inclusive amounts.
-#}

{#-
    A CSV export order whose prices include tax: its Total is Subtotal + Shipping although it has
    Taxes (a tax-exclusive order's Total adds them). The Admin API says so itself (`taxes_included`).
-#}
{% macro shopify_csv_taxes_included(subtotal, shipping, taxes, total) -%}
    (coalesce({{ taxes }}, 0) > 0 and {{ total }} = coalesce({{ subtotal }}, 0) + coalesce({{ shipping }}, 0))
{%- endmacro %}

{#-
    The tax in a tax-inclusive CSV order's Shipping (rule 37): the export has one Taxes figure, so it is
    split Shipping : Subtotal (both tax included), the shipping part rounded half away from zero, the
    rest the items' tax. Integer cents in, integer cents out; 0 when the order has neither.
-#}
{% macro shopify_csv_shipping_tax_cents(taxes_cents, subtotal_cents, shipping_cents) -%}
    (case
        when ({{ subtotal_cents }}) + ({{ shipping_cents }}) > 0
            then {{ div_round('cast(' ~ taxes_cents ~ ' as bigint) * (' ~ shipping_cents ~ ')', '(' ~ subtotal_cents ~ ') + (' ~ shipping_cents ~ ')') }}
        else 0
    end)
{%- endmacro %}

{#-
    The tax inside a tax-inclusive line's discount (rule 36): the line's tax is charged on its price after
    the discount, so the discount's own tax is line tax x discount / (price - discount), rounded half away
    from zero; 0 when nothing is left to pay (the rate cannot be known).
-#}
{% macro discount_tax_cents(line_tax_cents, discounts_cents, line_price_cents) -%}
    (case
        when ({{ line_price_cents }}) - ({{ discounts_cents }}) > 0
            then {{ div_round('cast(' ~ line_tax_cents ~ ' as bigint) * (' ~ discounts_cents ~ ')', '(' ~ line_price_cents ~ ') - (' ~ discounts_cents ~ ')') }}
        else 0
    end)
{%- endmacro %}
