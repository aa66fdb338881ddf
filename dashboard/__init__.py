"""The owner's dashboard: a static site built from the marts by pages of SQL + markdown (dashboard/pages/).

`dashboard.site.build_site` runs each page's queries against the warehouse and renders the page with its charts
(Plotly, its JavaScript vendored from the plotly package: no CDN) and tables (each with its CSV). The Dagster
asset `dashboard` builds it after the marts; `make dashboard` serves it; `commerce-analytics report --pdf MONTH`
prints the month's P&L and restock list (dashboard/pdf.py).
"""
