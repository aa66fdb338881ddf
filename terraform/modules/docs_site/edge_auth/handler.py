"""CloudFront viewer-request authentication for the dbt docs site (Lambda@Edge).

Every request must carry a valid Cognito ID token (RS256, right issuer,
audience and expiry) in an HttpOnly cookie; otherwise the viewer is sent to the
Cognito hosted sign-in page (authorization-code flow with PKCE, public client,
so no secret lives in this function). Lambda@Edge has no environment
variables: settings come from config.json, written next to this file by
Terraform at deploy time.

Standard library only (Lambda@Edge allows no layers), so RSA PKCS#1 v1.5
signature checking is done with pow(); it is ~20 lines and unit-tested in
tests/terraform/test_docs_edge_auth.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
import urllib.parse
import urllib.request

CALLBACK_PATH = "/_auth/callback"
LOGOUT_PATH = "/_auth/logout"
STATE_COOKIE = "docs_auth_state"
LEEWAY_SECONDS = 30
JWKS_REFRESH_SECONDS = 300
HTTP_TIMEOUT_SECONDS = 3

# ASN.1 DigestInfo prefix for SHA-256 (RFC 8017, section 9.2, note 1).
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")

_config: dict | None = None
_jwks: dict[str, tuple[int, int]] = {}
_jwks_fetched_at = 0.0


def config() -> dict:
    global _config
    if _config is None:
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "config.json")
        with open(path, encoding="utf-8") as fh:
            _config = json.load(fh)
    return _config


# --------------------------------------------------------------------------- #
# Encoding helpers
# --------------------------------------------------------------------------- #


def b64url_decode(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def parse_cookies(headers: dict) -> dict[str, str]:
    cookies: dict[str, str] = {}
    for header in headers.get("cookie", []):
        for part in header.get("value", "").split(";"):
            name, sep, value = part.strip().partition("=")
            if sep:
                cookies[name] = value
    return cookies


# --------------------------------------------------------------------------- #
# JWT verification
# --------------------------------------------------------------------------- #


def rsa_pkcs1_sha256_verify(message: bytes, signature: bytes, n: int, e: int) -> bool:
    """Verify an RSASSA-PKCS1-v1_5 / SHA-256 signature (the JWT "RS256")."""
    k = (n.bit_length() + 7) // 8
    if len(signature) != k:
        return False
    s = int.from_bytes(signature, "big")
    if s >= n:
        return False
    em = pow(s, e, n).to_bytes(k, "big")
    t = _SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
    if k < len(t) + 11:
        return False
    expected = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
    return hmac.compare_digest(em, expected)


def fetch_jwks(issuer: str) -> dict:
    url = issuer.rstrip("/") + "/.well-known/jwks.json"
    with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT_SECONDS) as resp:
        return json.load(resp)


def signing_key(kid: str) -> tuple[int, int] | None:
    """Public key (n, e) for a key ID, refreshing the cached JWKS when unknown."""
    global _jwks_fetched_at
    if kid not in _jwks and time.time() - _jwks_fetched_at > JWKS_REFRESH_SECONDS:
        _jwks_fetched_at = time.time()
        document = fetch_jwks(config()["issuer"])
        _jwks.clear()
        for key in document.get("keys", []):
            if key.get("kty") == "RSA" and key.get("kid"):
                n = int.from_bytes(b64url_decode(key["n"]), "big")
                e = int.from_bytes(b64url_decode(key["e"]), "big")
                _jwks[key["kid"]] = (n, e)
    return _jwks.get(kid)


def verify_id_token(token: str, now: float | None = None) -> dict | None:
    """Claims of a valid Cognito ID token for this app client, else None."""
    cfg = config()
    now = time.time() if now is None else now
    try:
        header_b64, payload_b64, signature_b64 = token.split(".")
        header = json.loads(b64url_decode(header_b64))
        claims = json.loads(b64url_decode(payload_b64))
        signature = b64url_decode(signature_b64)
    except (ValueError, TypeError):
        return None
    if header.get("alg") != "RS256" or not isinstance(claims, dict):
        return None
    key = signing_key(str(header.get("kid", "")))
    if key is None:
        return None
    if not rsa_pkcs1_sha256_verify(f"{header_b64}.{payload_b64}".encode("ascii"), signature, *key):
        return None
    if claims.get("iss") != cfg["issuer"]:
        return None
    if claims.get("aud") != cfg["client_id"] or claims.get("token_use") != "id":
        return None
    exp = claims.get("exp")
    if not isinstance(exp, (int, float)) or exp + LEEWAY_SECONDS < now:
        return None
    return claims


# --------------------------------------------------------------------------- #
# Responses
# --------------------------------------------------------------------------- #


def cookie(name: str, value: str, max_age: int, path: str = "/") -> str:
    return f"{name}={value}; Path={path}; Max-Age={max_age}; Secure; HttpOnly; SameSite=Lax"


def response(status: int, location: str | None = None, cookies: list[str] | None = None, body: str = "") -> dict:
    headers = {
        "cache-control": [{"key": "Cache-Control", "value": "no-store"}],
        "content-type": [{"key": "Content-Type", "value": "text/plain; charset=utf-8"}],
    }
    if location:
        headers["location"] = [{"key": "Location", "value": location}]
    if cookies:
        headers["set-cookie"] = [{"key": "Set-Cookie", "value": c} for c in cookies]
    descriptions = {302: "Found", 400: "Bad Request", 401: "Unauthorized", 502: "Bad Gateway"}
    return {
        "status": str(status),
        "statusDescription": descriptions.get(status, ""),
        "headers": headers,
        "body": body,
    }


def safe_return_path(path: str) -> str:
    """Only same-site absolute paths: no scheme, no host, no protocol-relative //."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


def redirect_to_sign_in(request: dict) -> dict:
    cfg = config()
    verifier = b64url_encode(secrets.token_bytes(32))
    challenge = b64url_encode(hashlib.sha256(verifier.encode("ascii")).digest())
    nonce = b64url_encode(secrets.token_bytes(16))
    original = request["uri"] + (f"?{request['querystring']}" if request.get("querystring") else "")
    state_value = b64url_encode(
        json.dumps({"nonce": nonce, "verifier": verifier, "path": safe_return_path(original)}).encode()
    )
    query = urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": cfg["client_id"],
            "redirect_uri": cfg["site_url"] + CALLBACK_PATH,
            "scope": cfg.get("scopes", "openid email"),
            "state": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    return response(
        302,
        location=f"https://{cfg['cognito_domain']}/oauth2/authorize?{query}",
        cookies=[cookie(STATE_COOKIE, state_value, 600, path=CALLBACK_PATH)],
    )


def exchange_code(code: str, verifier: str) -> dict:
    cfg = config()
    data = urllib.parse.urlencode(
        {
            "grant_type": "authorization_code",
            "client_id": cfg["client_id"],
            "code": code,
            "redirect_uri": cfg["site_url"] + CALLBACK_PATH,
            "code_verifier": verifier,
        }
    ).encode()
    req = urllib.request.Request(
        f"https://{cfg['cognito_domain']}/oauth2/token",
        data=data,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT_SECONDS) as resp:
        return json.load(resp)


def handle_callback(request: dict, cookies: dict[str, str]) -> dict:
    cfg = config()
    params = urllib.parse.parse_qs(request.get("querystring", ""))
    code = params.get("code", [""])[0]
    returned_state = params.get("state", [""])[0]
    try:
        state = json.loads(b64url_decode(cookies.get(STATE_COOKIE, "")))
    except ValueError:
        state = None
    # The state cookie ties the callback to a sign-in this browser started (CSRF).
    if not code or not isinstance(state, dict) or not hmac.compare_digest(str(state.get("nonce", "")), returned_state):
        return response(400, body="Sign-in could not be verified; reload the page to try again.")
    try:
        tokens = exchange_code(code, str(state.get("verifier", "")))
    except OSError:
        return response(502, body="The sign-in service did not answer; try again.")
    id_token = tokens.get("id_token", "")
    claims = verify_id_token(id_token)
    if claims is None:
        return response(401, body="Sign-in was rejected.")
    max_age = max(0, int(claims["exp"] - time.time()))
    return response(
        302,
        location=cfg["site_url"] + safe_return_path(str(state.get("path", "/"))),
        cookies=[
            cookie(cfg["cookie_name"], id_token, max_age),
            cookie(STATE_COOKIE, "", 0, path=CALLBACK_PATH),
        ],
    )


def handle_logout() -> dict:
    cfg = config()
    query = urllib.parse.urlencode({"client_id": cfg["client_id"], "logout_uri": cfg["site_url"] + "/"})
    return response(
        302,
        location=f"https://{cfg['cognito_domain']}/logout?{query}",
        cookies=[cookie(cfg["cookie_name"], "", 0)],
    )


# --------------------------------------------------------------------------- #
# Dashboard roles
# --------------------------------------------------------------------------- #


def dashboard_allowed(uri: str, groups: list[str]) -> bool:
    """Whether a signed-in viewer in Cognito `groups` may read `uri`.

    The dashboard is served under config `dashboard_prefix` (/dashboard/): its landing page and assets are open
    to every group named in `dashboard_access`; a page folder (/dashboard/<page>/..., its CSVs and drill-downs
    included) to the groups listed for that page; the groups of `dashboard_full_access` (finance) read every
    page, including pages not listed. The dbt docs outside the prefix stay open to every signed-in viewer.
    """
    cfg = config()
    prefix = cfg.get("dashboard_prefix", "/dashboard/")
    if uri != prefix.rstrip("/") and not uri.startswith(prefix):
        return True
    segments = urllib.parse.unquote(uri).split("/")
    if any(segment in (".", "..") for segment in segments):
        return False  # no walking from an allowed page into another one
    access: dict[str, list[str]] = cfg.get("dashboard_access", {})
    full = set(cfg.get("dashboard_full_access", []))
    groups_set = set(groups)
    if groups_set & full:
        return True
    page = uri[len(prefix) :].split("/", 1)[0] if uri.startswith(prefix) else ""
    if page in ("", "index.html", "assets"):
        return bool(groups_set & {g for allowed in access.values() for g in allowed})
    return bool(groups_set & set(access.get(page, [])))


def handler(event: dict, context: object = None) -> dict:
    request = event["Records"][0]["cf"]["request"]
    cookies = parse_cookies(request.get("headers", {}))
    if request["uri"] == CALLBACK_PATH:
        return handle_callback(request, cookies)
    if request["uri"] == LOGOUT_PATH:
        return handle_logout()
    token = cookies.get(config()["cookie_name"])
    claims = verify_id_token(token) if token else None
    if claims is not None:
        groups = claims.get("cognito:groups") or []
        if not dashboard_allowed(request["uri"], groups if isinstance(groups, list) else []):
            return response(403, body="Your sign-in has no access to this dashboard page (ask for the right group).")
        # The origin (S3) needs no cookies; dropping them keeps the token out of logs and caches.
        request.get("headers", {}).pop("cookie", None)
        return request
    return redirect_to_sign_in(request)
