"""The docs site's Lambda@Edge sign-in check (terraform/modules/docs_site/edge_auth).

Tokens are signed with a throwaway RSA key made here (pure Python, so the test
needs no crypto package); the Cognito JWKS and token endpoints are replaced by
fakes, so nothing leaves the machine.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import random
import time
import urllib.parse
from pathlib import Path
from types import ModuleType

import pytest

HANDLER = Path(__file__).resolve().parents[2] / "terraform" / "modules" / "docs_site" / "edge_auth" / "handler.py"

CONFIG = {
    "issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool",
    "client_id": "docs-client-id",
    "cognito_domain": "brand-prod.auth.us-east-1.amazoncognito.com",
    "site_url": "https://docs.example.com",
    "cookie_name": "docs_id_token",
    "scopes": "openid email",
}


# --------------------------------------------------------------------------- #
# A small RSA implementation for signing test tokens
# --------------------------------------------------------------------------- #


def _is_probable_prime(n: int, rng: random.Random) -> bool:
    if n < 2:
        return False
    for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if n % p == 0:
            return n == p
    d, r = n - 1, 0
    while d % 2 == 0:
        d //= 2
        r += 1
    for _ in range(24):
        x = pow(rng.randrange(2, n - 1), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits: int, rng: random.Random) -> int:
    while True:
        candidate = rng.getrandbits(bits) | (1 << (bits - 1)) | 1
        if _is_probable_prime(candidate, rng):
            return candidate


class RsaKey:
    def __init__(self, seed: int, kid: str) -> None:
        rng = random.Random(seed)
        self.kid = kid
        self.e = 65537
        while True:
            p, q = _prime(512, rng), _prime(512, rng)
            phi = (p - 1) * (q - 1)
            if p != q and phi % self.e:
                break
        self.n = p * q
        self.d = pow(self.e, -1, phi)

    def sign(self, message: bytes) -> bytes:
        k = (self.n.bit_length() + 7) // 8
        t = bytes.fromhex("3031300d060960864801650304020105000420") + hashlib.sha256(message).digest()
        em = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
        return pow(int.from_bytes(em, "big"), self.d, self.n).to_bytes(k, "big")

    def jwk(self) -> dict:
        def enc(i: int) -> str:
            return b64(i.to_bytes((i.bit_length() + 7) // 8, "big"))

        return {
            "kty": "RSA",
            "kid": self.kid,
            "alg": "RS256",
            "use": "sig",
            "n": enc(self.n),
            "e": enc(self.e),
        }


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_token(key: RsaKey, **overrides: object) -> str:
    claims = {
        "iss": CONFIG["issuer"],
        "aud": CONFIG["client_id"],
        "token_use": "id",
        "sub": "user-1",
        "email": "owner@example.com",
        "exp": int(time.time()) + 3600,
    }
    claims.update(overrides)
    header = {"alg": "RS256", "kid": key.kid, "typ": "JWT"}
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    return f"{signing_input}.{b64(key.sign(signing_input.encode()))}"


@pytest.fixture(scope="module")
def key() -> RsaKey:
    return RsaKey(seed=20261122, kid="test-key")


@pytest.fixture(scope="module")
def other_key() -> RsaKey:
    return RsaKey(seed=7, kid="test-key")  # same kid, different key: a forgery


@pytest.fixture()
def edge(monkeypatch: pytest.MonkeyPatch, key: RsaKey) -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_edge_auth_handler", HANDLER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module._config = dict(CONFIG)
    module.jwks_calls = 0

    def fake_jwks(issuer: str) -> dict:
        assert issuer == CONFIG["issuer"]
        module.jwks_calls += 1
        return {"keys": [key.jwk()]}

    monkeypatch.setattr(module, "fetch_jwks", fake_jwks)
    return module


def viewer_request(uri: str = "/", querystring: str = "", cookies: dict[str, str] | None = None) -> dict:
    headers = {"host": [{"key": "Host", "value": "docs.example.com"}]}
    if cookies:
        value = "; ".join(f"{k}={v}" for k, v in cookies.items())
        headers["cookie"] = [{"key": "Cookie", "value": value}]
    request = {"uri": uri, "querystring": querystring, "method": "GET", "headers": headers}
    return {"Records": [{"cf": {"request": request}}]}


def header(response: dict, name: str) -> list[str]:
    return [h["value"] for h in response.get("headers", {}).get(name, [])]


def cookie_value(set_cookie: str) -> tuple[str, str]:
    name, _, rest = set_cookie.partition("=")
    return name, rest.split(";", 1)[0]


# --------------------------------------------------------------------------- #
# Tests
# --------------------------------------------------------------------------- #


def test_rsa_verification_matches_the_reference_padding(edge: ModuleType, key: RsaKey) -> None:
    message = b"header.payload"
    signature = key.sign(message)
    assert edge.rsa_pkcs1_sha256_verify(message, signature, key.n, key.e)
    assert not edge.rsa_pkcs1_sha256_verify(b"header.payloaD", signature, key.n, key.e)
    tampered = bytes([signature[0] ^ 1]) + signature[1:]
    assert not edge.rsa_pkcs1_sha256_verify(message, tampered, key.n, key.e)
    assert not edge.rsa_pkcs1_sha256_verify(message, signature[1:], key.n, key.e)


def test_request_without_cookie_is_sent_to_cognito_with_pkce(edge: ModuleType) -> None:
    response = edge.handler(viewer_request("/index.html", "x=1"))
    assert response["status"] == "302"
    location = urllib.parse.urlsplit(header(response, "location")[0])
    assert location.netloc == CONFIG["cognito_domain"] and location.path == "/oauth2/authorize"
    query = dict(urllib.parse.parse_qsl(location.query))
    assert query["client_id"] == CONFIG["client_id"]
    assert query["redirect_uri"] == "https://docs.example.com/_auth/callback"
    assert query["response_type"] == "code" and query["code_challenge_method"] == "S256"
    name, value = cookie_value(header(response, "set-cookie")[0])
    assert name == "docs_auth_state"
    state = json.loads(edge.b64url_decode(value))
    assert state["nonce"] == query["state"]
    assert state["path"] == "/index.html?x=1"
    expected_challenge = b64(hashlib.sha256(state["verifier"].encode()).digest())
    assert query["code_challenge"] == expected_challenge
    set_cookie = header(response, "set-cookie")[0]
    assert "HttpOnly" in set_cookie and "Secure" in set_cookie
    assert header(response, "cache-control") == ["no-store"]


def test_valid_token_passes_to_origin_without_cookies(edge: ModuleType, key: RsaKey) -> None:
    event = viewer_request("/manifest.json", cookies={"docs_id_token": make_token(key), "other": "1"})
    result = edge.handler(event)
    assert result.get("uri") == "/manifest.json", "a signed-in viewer must reach the origin"
    assert "cookie" not in result["headers"], "tokens must not be forwarded to S3"


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": int(time.time()) - 3600},
        {"aud": "some-other-client"},
        {"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_OtherPool"},
        {"token_use": "access"},
    ],
    ids=["expired", "wrong-audience", "wrong-issuer", "access-token"],
)
def test_invalid_claims_are_rejected(edge: ModuleType, key: RsaKey, claims: dict) -> None:
    response = edge.handler(viewer_request("/", cookies={"docs_id_token": make_token(key, **claims)}))
    assert response.get("status") == "302"


def test_forged_or_malformed_tokens_are_rejected(edge: ModuleType, key: RsaKey, other_key: RsaKey) -> None:
    forged = make_token(other_key)
    header_b64, _, sig = make_token(key).split(".")
    unsigned_alg = b64(json.dumps({"alg": "none", "kid": key.kid}).encode())
    for token in [
        forged,
        "garbage",
        "a.b.c",
        f"{unsigned_alg}.{make_token(key).split('.')[1]}.",
        f"{header_b64}.e30.{sig}",
    ]:
        response = edge.handler(viewer_request("/", cookies={"docs_id_token": token}))
        assert response.get("status") == "302", token


def test_unknown_kid_refetches_jwks_at_most_once_per_interval(edge: ModuleType, key: RsaKey) -> None:
    assert edge.verify_id_token(make_token(key)) is not None
    assert edge.jwks_calls == 1
    stranger = RsaKey(seed=99, kid="unknown-kid")
    for _ in range(3):
        assert edge.verify_id_token(make_token(stranger)) is None
    assert edge.jwks_calls == 1, "unknown key IDs must not hammer the JWKS endpoint"


def test_callback_exchanges_code_and_sets_session_cookie(
    edge: ModuleType, key: RsaKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = edge.handler(viewer_request("/#!/model/model.fct_orders"))
    state_cookie = cookie_value(header(start, "set-cookie")[0])[1]
    nonce = json.loads(edge.b64url_decode(state_cookie))["nonce"]
    verifier = json.loads(edge.b64url_decode(state_cookie))["verifier"]
    token = make_token(key)
    seen = {}

    def fake_exchange(code: str, code_verifier: str) -> dict:
        seen.update(code=code, verifier=code_verifier)
        return {"id_token": token, "access_token": "x", "token_type": "Bearer"}

    monkeypatch.setattr(edge, "exchange_code", fake_exchange)
    response = edge.handler(
        viewer_request(
            "/_auth/callback",
            urllib.parse.urlencode({"code": "auth-code", "state": nonce}),
            cookies={"docs_auth_state": state_cookie},
        )
    )
    assert seen == {"code": "auth-code", "verifier": verifier}
    assert response["status"] == "302"
    assert header(response, "location") == ["https://docs.example.com/#!/model/model.fct_orders"]
    cookies = dict(cookie_value(c) for c in header(response, "set-cookie"))
    assert cookies["docs_id_token"] == token
    assert cookies["docs_auth_state"] == "", "the one-time state cookie is cleared"


def test_callback_with_mismatched_state_is_refused(edge: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(edge, "exchange_code", lambda *a: pytest.fail("must not exchange a code without state"))
    start = edge.handler(viewer_request("/"))
    state_cookie = cookie_value(header(start, "set-cookie")[0])[1]
    response = edge.handler(
        viewer_request(
            "/_auth/callback",
            urllib.parse.urlencode({"code": "auth-code", "state": "attacker-state"}),
            cookies={"docs_auth_state": state_cookie},
        )
    )
    assert response["status"] == "400"
    no_cookie = edge.handler(viewer_request("/_auth/callback", "code=a&state=b"))
    assert no_cookie["status"] == "400"


def test_callback_rejects_token_that_fails_verification(
    edge: ModuleType, other_key: RsaKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(edge, "exchange_code", lambda code, verifier: {"id_token": make_token(other_key)})
    start = edge.handler(viewer_request("/"))
    state_cookie = cookie_value(header(start, "set-cookie")[0])[1]
    nonce = json.loads(edge.b64url_decode(state_cookie))["nonce"]
    response = edge.handler(
        viewer_request("/_auth/callback", f"code=c&state={nonce}", cookies={"docs_auth_state": state_cookie})
    )
    assert response["status"] == "401"
    assert not any(c.startswith("docs_id_token=ey") for c in header(response, "set-cookie"))


@pytest.mark.parametrize("path", ["//evil.example.com/x", "https://evil.example.com", "/\\evil.example.com", "evil"])
def test_return_path_cannot_redirect_off_site(edge: ModuleType, path: str) -> None:
    assert edge.safe_return_path(path) == "/"
    assert edge.safe_return_path("/docs/index.html?x=1") == "/docs/index.html?x=1"


def test_logout_clears_the_session(edge: ModuleType) -> None:
    response = edge.handler(viewer_request("/_auth/logout"))
    assert response["status"] == "302"
    assert header(response, "location")[0].startswith(f"https://{CONFIG['cognito_domain']}/logout?")
    assert cookie_value(header(response, "set-cookie")[0]) == ("docs_id_token", "")


def test_config_json_keys_match_what_terraform_writes() -> None:
    main_tf = (HANDLER.parent.parent / "main.tf").read_text(encoding="utf-8")
    for key_name in CONFIG:
        assert f"{key_name} " in main_tf or f"{key_name}=" in main_tf, f"Terraform does not write {key_name}"
