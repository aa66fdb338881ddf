"""Access tokens from an OAuth 2.0 refresh token: Login with Amazon (SP-API, Amazon Ads) and Google (Google Ads).

Both take the standard `grant_type=refresh_token` form with the app's client id and secret and answer
`{"access_token": ..., "expires_in": 3600}`. The token is fetched on first use and, when the API says it expired,
refreshed once and the request sent again; a second rejection, or a refused refresh token, is a `ConnectorError`
naming the settings to fix (never their values).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import httpx

from ingestion.connectors.http import ApiClient, endpoint_of, response_reason

AUTH_STATUSES = (401, 403)


class RefreshTokenAuth:
    def __init__(
        self,
        client: ApiClient,
        *,
        token_url: str,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        credential_settings: str,
        headers: Callable[[str], dict[str, str]],
        expired: Callable[[httpx.Response], bool],
    ):
        """`headers(token)`: the auth headers of one request; `expired(response)`: the API says the access token
        expired (refresh once); `credential_settings`: what a user fixes when the token is refused."""
        self.client = client
        self.token_url = token_url
        self._form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": client_id,
            "client_secret": client_secret,
        }
        self.credential_settings = credential_settings
        self.headers = headers
        self.expired = expired
        self._token: str | None = None

    def request(self, method: str, url: str, *, ok_statuses: Iterable[int] = (), **kwargs: Any) -> httpx.Response:
        """One authorized request through the retrying client; a response with a status in `ok_statuses` is
        returned for the caller to read, other errors raise."""
        ok = tuple(ok_statuses)
        response = self._send(method, url, ok, kwargs)
        if self.expired(response):
            self._token = None
            response = self._send(method, url, ok, kwargs)
        if response.status_code in AUTH_STATUSES and response.status_code not in ok:
            what = "a freshly refreshed access token" if self.expired(response) else "the access token"
            raise self.client.error(
                endpoint_of(response.request.url),
                f"{response_reason(response)}: the API refused {what} (a revoked or lapsed authorization, or an "
                "app or user without the access docs/connectors.md lists); re-authorize the app",
                self.credential_settings,
            )
        return response

    def _send(self, method: str, url: str, ok: tuple[int, ...], kwargs: dict) -> httpx.Response:
        headers = self.headers(self._access_token()) | (kwargs.get("headers") or {})
        rest = {k: v for k, v in kwargs.items() if k != "headers"}
        return self.client.request(method, url, headers=headers, ok_statuses=(*AUTH_STATUSES, *ok), **rest)

    def _access_token(self) -> str:
        if self._token is None:
            response = self.client.request(
                "POST", self.token_url, data=self._form, headers={"Accept": "application/json"}, ok_statuses=(400, 401)
            )
            token = _json(response).get("access_token") if response.status_code == 200 else None
            if not token:
                raise self.client.error(
                    endpoint_of(response.request.url),
                    f"the token endpoint refused the refresh token ({_oauth_error(response)})",
                    self.credential_settings,
                )
            self._token = str(token)
        return self._token


def _json(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _oauth_error(response: httpx.Response) -> str:
    """`invalid_grant: ...` from the OAuth error body (it names the problem, never the token)."""
    body = _json(response)
    described = ": ".join(str(body[k]) for k in ("error", "error_description") if body.get(k))
    return f"HTTP {response.status_code} {described or response.reason_phrase}"
