"""The lake on an S3-protocol server (moto), including a proxy that fails a share of requests."""

from __future__ import annotations

import http.client
import http.server
import socket
import threading
from pathlib import Path

import pytest
from ingest_helpers import make_ingestor

from ingestion.ingest import exit_code
from ingestion.lake import Lake, LakeError, expected_etag

pytest.importorskip("moto.server")
from moto.server import ThreadedMotoServer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    """A moto S3 server on loopback; yields its endpoint URL."""
    import os

    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        os.environ.setdefault(key, value)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    yield endpoint
    server.stop()


def make_bucket(endpoint: str, name: str) -> str:
    from ingestion.lake import s3_filesystem

    fs = s3_filesystem(endpoint)
    fs.mkdir(name)
    return f"s3://{name}/lake"


class FlakyProxy(http.server.ThreadingHTTPServer):
    """Forwards to the S3 server, but answers every `every`-th request with 503 SlowDown, a 500, or a
    dropped connection (in turn) before forwarding it. Loopback only."""

    daemon_threads = True

    def __init__(self, upstream: str, every: int = 4):
        self.upstream = upstream.removeprefix("http://")
        self.every = every
        self.count = 0
        self.failures = {"503": 0, "500": 0, "drop": 0}
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _ProxyHandler)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def decide(self) -> str | None:
        with self.lock:
            self.count += 1
            if self.count % self.every:
                return None
            kind = ("503", "500", "drop")[(self.count // self.every) % 3]
            self.failures[kind] += 1
            return kind


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _handle(self):
        body = self._body()
        kind = self.server.decide()
        if kind == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if kind in ("503", "500"):
            code = "SlowDown" if kind == "503" else "InternalError"
            payload = f"<Error><Code>{code}</Code><Message>injected</Message></Error>".encode()
            self.send_response(int(kind))
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("transfer-encoding", "content-length")}
        headers["Content-Length"] = str(len(body))
        conn = http.client.HTTPConnection(self.server.upstream, timeout=30)
        conn.request(self.command, self.path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("transfer-encoding", "content-length", "connection", "date", "server"):
                self.send_header(key, value)
        length = response.getheader("Content-Length") if self.command == "HEAD" else None
        self.send_header("Content-Length", length or str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        conn.close()

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _handle


def listing(lake: Lake) -> dict[str, int]:
    return {rel: lake.fs.info(lake.path(rel))["size"] for rel in lake.list("") if "/deliveries/" not in rel}


SUBSET = ("shopify", "amazon/settlements", "amazon_ads", "brand")


def test_demo_set_lands_on_s3_and_second_run_changes_nothing(s3, demo):
    url = make_bucket(s3, "lake-clean")
    paths = [str(demo.out / p) for p in SUBSET]
    first = make_ingestor(url, s3).ingest_paths(paths)
    assert {r.status for r in first} == {"landed"} and exit_code(first) == 0
    lake = Lake(url, s3)
    before = listing(lake)
    assert any(k.startswith("landed/shopify/order_lines/business_month=") for k in before)
    for r in first:
        manifest = lake.read_json(f"_manifests/{r.source}/{r.sha256}.json")
        assert manifest["rows_read"] == manifest["rows_landed"] + manifest["rows_quarantined"]
    second = make_ingestor(url, s3).ingest_paths(paths)
    assert {r.status for r in second} == {"duplicate"}
    assert listing(lake) == before
    assert len(lake.list("_manifests/deliveries")) == 2 * len(first)


def test_faults_lose_nothing_and_duplicate_nothing(s3, demo):
    """Every 4th request fails (503, 500 or a dropped connection): botocore retries, and the lake ends
    up with exactly the objects of a clean run."""
    clean_url = make_bucket(s3, "lake-reference")
    flaky_url = make_bucket(s3, "lake-flaky")
    settlements = sorted((demo.out / "amazon/settlements").iterdir())[:2]
    paths = [str(p) for p in (demo.out / "shopify/payment_transactions_export_1.csv", demo.out / "brand/cogs.csv")]
    paths += [str(p) for p in settlements] + [str(next((demo.out / "amazon_ads").iterdir()))]
    make_ingestor(clean_url, s3).ingest_paths(paths)
    proxy = FlakyProxy(s3, every=4)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        results = make_ingestor(flaky_url, proxy.endpoint).ingest_paths(paths)
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert all(proxy.failures[k] > 0 for k in ("503", "500", "drop")), proxy.failures
    assert {r.status for r in results} == {"landed"}
    clean, flaky = listing(Lake(clean_url, s3)), listing(Lake(flaky_url, s3))
    assert sorted(clean) == sorted(flaky)
    assert {k for k in flaky if k.endswith(".parquet")} == {k for k in clean if k.endswith(".parquet")}
    reference = Lake(clean_url, s3)
    for r in results:
        clean_manifest = reference.read_json(f"_manifests/{r.source}/{r.sha256}.json")
        assert (r.rows_read, r.rows_landed, r.rows_quarantined) == (
            clean_manifest["rows_read"],
            clean_manifest["rows_landed"],
            clean_manifest["rows_quarantined"],
        )
    assert len(Lake(flaky_url, s3).list("_manifests/deliveries")) == len(results)


def test_multipart_upload_is_verified(s3, tmp_path):
    url = make_bucket(s3, "lake-multipart")
    lake = Lake(url, s3, part_size=5 * 1024 * 1024)
    big = tmp_path / "big.bin"
    big.write_bytes(bytes(range(256)) * (12 * 1024 * 1024 // 256 + 7))
    lake.publish(big, "raw/te/test-big")
    info = lake.fs.info(lake.path("raw/te/test-big"), refresh=True)
    assert info["size"] == big.stat().st_size
    assert str(info["ETag"]).strip('"').endswith("-3")  # three parts
    assert str(info["ETag"]).strip('"') == expected_etag(big, 5 * 1024 * 1024)


def test_a_corrupted_upload_is_detected_and_removed(s3, tmp_path, monkeypatch):
    import ingestion.lake as lake_module

    url = make_bucket(s3, "lake-corrupt")
    lake = Lake(url, s3)
    small = tmp_path / "x.bin"
    small.write_bytes(b"hello")
    monkeypatch.setattr(lake_module, "expected_etag", lambda path, part: "0" * 32)
    with pytest.raises(LakeError, match="did not verify"):
        lake.publish(small, "raw/xx/x")
    assert not lake.exists("raw/xx/x")


def test_inbox_on_s3_is_emptied_after_ingest(s3, demo):
    url = make_bucket(s3, "lake-inbox")
    lake = Lake(url, s3)
    for name in ("cogs.csv", "products.csv"):
        lake.fs.put_file(str(Path(demo.out / "brand" / name)), lake.path(f"inbox/{name}"))
    ingestor = make_ingestor(url, s3)
    results = ingestor.ingest_paths([ingestor.settings.inbox])
    assert {r.status for r in results} == {"landed"}
    assert lake.list("inbox") == []


def test_retract_withdraws_and_reinstate_brings_back_on_s3(s3, tmp_path):
    from test_retract import check_retract_cycle

    check_retract_cycle(make_bucket(s3, "lake-retract"), tmp_path, s3)


def test_forget_customer_on_s3(s3, demo, tmp_path):
    from test_erasure import check_forget_customer

    check_forget_customer(make_bucket(s3, "lake-erasure"), Path(demo.out), tmp_path, s3)


def test_a_key_with_dot_segments_is_rejected_with_a_reason_not_skipped(s3, demo):
    """S3 keys are literal, so `inbox/a/../cogs.csv` is its own object; every local copy or console would show
    it at another path, so it is refused with a reason (and recorded, so it is not retried) while the file
    beside it lands."""
    url = make_bucket(s3, "lake-dots")
    lake = Lake(url, s3)
    lake.fs.put_file(str(Path(demo.out / "brand" / "cogs.csv")), lake.path("inbox/a/../cogs.csv"))
    lake.fs.put_file(str(Path(demo.out / "brand" / "products.csv")), lake.path("inbox/products.csv"))
    ingestor = make_ingestor(url, s3)

    by_name = {r.source_file.rsplit("/inbox/", 1)[-1]: r for r in ingestor.ingest_paths([ingestor.settings.inbox])}

    assert by_name["a/../cogs.csv"].status == "rejected"
    assert "'..'" in by_name["a/../cogs.csv"].message
    assert by_name["products.csv"].status == "landed"
    assert exit_code(list(by_name.values())) == 2
    # It stays in the inbox (only landed bytes leave) and is refused again, by name, until it is renamed.
    again = ingestor.ingest_paths([ingestor.settings.inbox])
    assert [(r.source_file.rsplit("/inbox/", 1)[-1], r.status) for r in again] == [("a/../cogs.csv", "rejected")]
