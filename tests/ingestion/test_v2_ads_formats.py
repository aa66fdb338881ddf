"""Contract v2 ad exports: Sponsored Brands / Display v3 reports and the Google click_view export
(docs/metrics.md rules 39 and 41): detection, the rows they land, and the reports they refuse."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from ingest_helpers import gz, landed, write

from ingestion.formats import FORMATS, Sniff

SB_ROW = {
    "date": "2025-10-01",
    "campaignId": 512093340001,
    "campaignName": "SB - Brand Headline",
    "campaignBudgetCurrencyCode": "USD",
    "costType": "CPC",
    "impressions": 5123,
    "clicks": 31,
    "cost": 40.129999999,
    "purchases": 2,
    "sales": 77.5,
}
SD_ROW = {
    "date": "2025-10-01",
    "campaignId": 618870150001,
    "campaignName": "SD - Views Remarketing",
    "adGroupId": 728455000001,
    "adGroupName": "Remarketing",
    "promotedSku": "CND-001",
    "promotedAsin": "B0CANDLE01",
    "impressions": 900,
    "impressionsViews": 560,
    "clicks": 4,
    "cost": 3.2,
    "purchases": 0,
    "sales": 0,
    "campaignBudgetCurrencyCode": "USD",
}


def test_sb_and_sd_reports_land_with_their_ad_product(ingest, lake, tmp_path):
    sb = gz(tmp_path / "report-1.json.gz", json.dumps([SB_ROW]).encode())
    sd = gz(tmp_path / "report-2.json.gz", json.dumps([SD_ROW]).encode())
    results = ingest(sb, sd)
    assert [r.format for r in results] == ["amazon_ads_sb_campaigns", "amazon_ads_sd_advertised_product"]
    rows = sorted(landed(lake, "amazon_ads", "sponsored_brands_display_daily"), key=lambda r: r["ad_product"])
    assert [(r["ad_product"], r["advertised_sku"], r["cost"]) for r in rows] == [
        ("SPONSORED_BRANDS", None, Decimal("40.13")),
        ("SPONSORED_DISPLAY", "CND-001", Decimal("3.20")),
    ]


@pytest.mark.parametrize(
    "row",
    [
        # a Sponsored Display campaign report: with the advertised-product report it would count spend twice
        {k: v for k, v in SD_ROW.items() if k not in ("promotedSku", "promotedAsin", "adGroupId", "adGroupName")},
        # a Sponsored Products campaign report (7-day attribution columns)
        {"date": "2025-10-01", "campaignId": 1, "cost": 5.0, "sales7d": 10.0, "purchases7d": 1},
    ],
)
def test_campaign_reports_of_other_ad_products_are_not_taken_for_sponsored_brands(row):
    assert FORMATS["amazon_ads_sb_campaigns"].detect(Sniff(json.dumps([row]))) is None
    assert FORMATS["amazon_ads_sb_campaigns"].detect(Sniff(json.dumps([SB_ROW]))) is not None


def test_click_view_lands_one_row_per_gclid(ingest, lake, tmp_path):
    batch = {
        "results": [
            {
                "clickView": {"resourceName": "customers/1/clickViews/2025-10-01~Cj0KCQabc", "gclid": "Cj0KCQabc"},
                "campaign": {"resourceName": "customers/1/campaigns/21004587301", "id": "21004587301"},
                "segments": {"date": "2025-10-01"},
            }
        ],
        "fieldMask": "clickView.gclid,campaign.id,segments.date",
        "requestId": "x",
    }
    path = write(tmp_path / "clicks.json", json.dumps([batch, batch]))
    [result] = ingest(path)
    assert result.format == "google_ads_click_view_json"
    rows = landed(lake, "google_ads", "click_view")
    assert {(r["gclid"], r["campaign_id"], str(r["date"])) for r in rows} == {
        ("Cj0KCQabc", "21004587301", "2025-10-01")
    }
