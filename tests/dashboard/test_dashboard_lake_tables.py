"""The Data health page's lake tables on a real ingested lake: a partial carrier-invoice file's quarantined row
shows with its file, row and reason; a retracted file's rows do not."""

from __future__ import annotations

from commerce_analytics.settings import load_settings
from dashboard.lake_tables import lake_connection
from ingestion.ingest import Ingestor
from ingestion.lake import Lake

INVOICES = (
    "tracking_number,order_reference,ship_date,service,weight_kg,cost,currency\n"
    "1Z1,#1005,2025-09-01,UPS Ground,4.85,13.25,USD\n"
    "1Z2,1010,2025-09-02,UPS Ground,8.47,12.3x,USD\n"
)


def test_quarantined_rows_show_with_their_reason_until_retracted(tmp_path):
    settings = load_settings({"COMMERCE_LAKE": str(tmp_path / "lake"), "COMMERCE_TIMEZONE": "America/New_York"})
    lake = Lake(settings.lake)
    source = tmp_path / "carrier_invoices.csv"
    source.write_text(INVOICES)
    [result] = Ingestor(settings, lake).ingest_paths([str(source)], None)
    assert result.status == "partial"

    connection = lake_connection(lake)
    assert connection.execute("select source, source_row, reason from quarantined_rows").fetchall() == [
        ("brand", 3, "cost: '12.3x' is not a number")
    ]
    assert connection.execute(
        "select source, status, rows_read, rows_landed, rows_quarantined from lake_deliveries"
    ).fetchall() == [("brand", "partial", 2, 1, 1)]

    from ingestion.retract import retract

    retract(lake, result.sha256, reason="a wrong file")
    assert lake_connection(lake).execute("select count(*) from quarantined_rows").fetchone() == (0,)
