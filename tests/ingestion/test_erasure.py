"""`forget-customer EMAIL` (issue 17, finding 9): a person's data leaves raw/, landed/ and quarantine/ on a
local lake and on the S3 server; the money rows stay, a re-sent original stays a duplicate, and re-landing
from raw/ brings nobody back."""

from __future__ import annotations

import csv
import gzip
import subprocess
import sys
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
from ingest_helpers import make_ingestor, write

from ingestion.erasure import forget_customer
from ingestion.lake import Lake

FILES = ("shopify/orders_export_1.csv", "shopify/orders_api.jsonl", "brand/touchpoints.csv")


def shared_email(out: Path) -> str:
    """An email with an order in the CSV export and the API file and a touch, as the export spells it."""
    with open(out / "shopify/orders_export_1.csv", newline="", encoding="utf-8") as handle:
        in_csv = {row["Email"] for row in csv.DictReader(handle) if row["Email"]}
    api = (out / "shopify/orders_api.jsonl").read_text().lower()
    touches = (out / "brand/touchpoints.csv").read_text().lower()
    return sorted(e for e in in_csv if e.lower() in api and e.lower() in touches)[0]


def holders(lake: Lake, email: str) -> list[str]:
    """Lake files in which the email (any case) still appears, decompressed and decoded."""
    found = []
    for rel in lake.list(""):
        if rel.startswith("_manifests/") or "/_tmp/" in rel or rel.startswith("_tmp/"):
            continue
        with lake.fs.open(lake.path(rel), "rb") as handle:
            data = handle.read()
        if rel.endswith(".parquet"):
            text = pl.from_arrow(pq.read_table(lake.fs.open(lake.path(rel), "rb"))).write_csv()
        else:
            text = (gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode("utf-8", errors="replace")
        if email.lower() in text.lower():
            found.append(rel)
    return found


def landed_orders(lake: Lake) -> pl.DataFrame:
    frames = [
        pl.from_arrow(pq.read_table(lake.fs.open(lake.path(rel), "rb")))
        for rel in lake.list("landed/shopify/orders")
        if not rel.endswith("_empty.parquet")
    ]
    return pl.concat(frames, how="diagonal_relaxed").sort("_source_sha256", "_source_row")


def check_forget_customer(lake_url: str, demo_out: Path, tmp_path: Path, endpoint: str | None = None) -> None:
    email = shared_email(demo_out)
    bad_touch = write(
        tmp_path / "touches_bad.csv",
        f"occurred_at,customer_email,landing_url,referrer_url\nnot-a-time,{email},https://artisanglow.com/,\n"
        f"2025-09-02T10:00:00Z,{email.upper()},https://artisanglow.com/,\n",
    )
    ingestor = make_ingestor(lake_url, endpoint)
    lake = ingestor.lake
    paths = [str(demo_out / f) for f in FILES] + [str(bad_touch)]
    first = ingestor.ingest_paths(paths)
    assert {r.status for r in first} <= {"landed", "partial"}
    before = landed_orders(lake)
    assert set(holders(lake, email)) >= {f"raw/{r.sha256[:2]}/{r.sha256}" for r in first}
    assert any(rel.startswith("quarantine/") for rel in holders(lake, email))

    erasure = forget_customer(lake, f"  {email.upper()} ", by="dpo", reason="request 42")
    assert holders(lake, email) == []
    assert len(erasure.raw) == len(FILES) + 1 and erasure.quarantine and erasure.rows_erased > 0
    log = lake.read_json(erasure.log)
    assert log["email_sha256"] == erasure.email_sha256 and email.lower() not in str(log).lower()

    # The money rows stay, with the identity removed.
    after = landed_orders(lake)
    assert after.height == before.height
    assert after.drop("email", "customer_id", "shipping_zip").equals(
        before.drop("email", "customer_id", "shipping_zip")
    )
    erased = after.filter(pl.col("email").is_null() & before["email"].is_not_null())
    assert erased.height and erased["shipping_zip"].null_count() == erased.height

    # The delivery keeps its sha256 identity: the original export is still a duplicate, and the
    # manifest says which bytes are stored now.
    again = ingestor.ingest_paths([str(demo_out / FILES[0])])
    assert [r.status for r in again] == ["duplicate"]
    manifest = lake.read_json(f"_manifests/shopify/{first[0].sha256}.json")
    assert manifest["erasures"][0]["log"] == erasure.log
    assert manifest["erasures"][0]["stored_sha256"] != first[0].sha256

    # Re-landing from the rewritten raw bytes lands the same order rows (a touch without its email is
    # quarantined: it identified nobody but that person) and nobody comes back.
    relanded = {r.sha256: r for r in ingestor.reprocess(force=True)}
    for result in first:
        again = relanded[result.sha256]
        assert again.rows_read == result.rows_read
        if result.source == "shopify":
            assert (again.status, again.rows_landed) == (result.status, result.rows_landed)
    assert holders(lake, email) == []
    assert landed_orders(lake).select("total", "order_id").equals(before.select("total", "order_id"))


def test_forget_customer_local(demo, tmp_path):
    check_forget_customer(str(tmp_path / "lake"), Path(demo.out), tmp_path)


def test_forget_customer_cli_rejects_a_non_email(tmp_path):
    env = {"COMMERCE_LAKE": str(tmp_path / "lake"), "PATH": "/usr/bin:/bin"}
    cli = [sys.executable, "-m", "commerce_analytics.cli", "forget-customer"]
    proc = subprocess.run([*cli, "not-an-email"], env=env, capture_output=True, text=True)
    assert proc.returncode == 2 and "not an email address" in proc.stderr
