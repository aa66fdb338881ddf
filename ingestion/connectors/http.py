"""The one HTTP client every connector uses: httpx with tenacity retries.

Retries HTTP 429 (waiting what `Retry-After` asks, in seconds or as an HTTP date), 5xx, transport errors
and whatever a connector's `throttled` hook recognises (Shopify's GraphQL cost throttling answers 200),
with capped exponential backoff and a total deadline (COMMERCE_PULL_* settings). Other 4xx are never
retried: 401/403 name the credential setting to fix. Errors name the endpoint by path only: query strings
can carry tokens and are never logged or raised.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_before_delay,
    wait_exponential,
)

from commerce_analytics.settings import Settings
from ingestion.connectors.base import ConnectorError

# httpx logs every request's full URL at INFO (a token in a query string would land in Dagster's logs).
logging.getLogger("httpx").setLevel(logging.WARNING)
MAX_REASON_CHARS = 300
USE_BACKOFF = -1.0
"""A `throttled` hook's answer for "throttled, but the platform says not how long": wait the backoff."""


class _Retryable(Exception):
    def __init__(self, reason: str, wait: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """`Retry-After` as seconds: a number of seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def endpoint_of(url: httpx.URL | str) -> str:
    """A request's endpoint for messages: scheme, host and path, never the query (tokens, cursors)."""
    url = httpx.URL(str(url))
    return f"{url.scheme}://{url.host}{f':{url.port}' if url.port else ''}{url.path}"


def response_reason(response: httpx.Response) -> str:
    """HTTP status and the start of the body, on one line (platform error bodies name the problem)."""
    body = " ".join(response.text.split())[:MAX_REASON_CHARS]
    return f"HTTP {response.status_code} {response.reason_phrase}{': ' + body if body else ''}"


class ApiClient:
    """A platform's API for one account: base URL (a setting), default headers (auth) and retrying requests."""

    def __init__(
        self,
        *,
        source: str,
        account: str,
        base_url: str,
        settings: Settings,
        headers: dict[str, str] | None = None,
        credential_setting: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ):
        self.source = source
        self.account = account
        self.settings = settings
        self.credential_setting = credential_setting
        self._http = httpx.Client(
            base_url=base_url,
            headers=headers or {},
            timeout=settings.pull_timeout_seconds,
            follow_redirects=True,
            transport=transport,
        )

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def error(self, endpoint: str, reason: str, setting: str | None = None) -> ConnectorError:
        return ConnectorError(self.source, self.account, endpoint, reason, setting)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
        ok_statuses: Iterable[int] = (),
        throttled: Callable[[httpx.Response], float | None] | None = None,
    ) -> httpx.Response:
        """One request with retries. Returns a 2xx response (or one whose status is in `ok_statuses`, for the
        connector to handle); raises ConnectorError otherwise. `throttled(response)`, asked first of every
        response, returns seconds to wait (or USE_BACKOFF) when the platform throttled it in its own way
        (Shopify GraphQL answers 200, Meta 400 with an error code), None when it did not."""
        ok = set(ok_statuses)
        endpoint = endpoint_of(self._http.build_request(method, url).url)
        s = self.settings
        backoff = wait_exponential(multiplier=s.pull_backoff_seconds, max=s.pull_backoff_max_seconds)

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            if isinstance(exc, _Retryable) and exc.wait is not None:
                return exc.wait
            return backoff(state)

        def attempt() -> httpx.Response:
            try:
                response = self._http.request(method, url, params=params, json=json, data=data, headers=headers)
            except httpx.TransportError as exc:
                raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
            status = response.status_code
            pause = throttled(response) if throttled else None
            if pause is not None:
                raise _Retryable(f"throttled: {response_reason(response)}", None if pause == USE_BACKOFF else pause)
            if status in ok:
                return response
            if status == 429:
                raise _Retryable(response_reason(response), retry_after_seconds(response.headers.get("Retry-After")))
            if status >= 500:
                raise _Retryable(response_reason(response), retry_after_seconds(response.headers.get("Retry-After")))
            if status in (401, 403):
                raise self.error(
                    endpoint,
                    f"{response_reason(response)}: the token is invalid, expired or lacks a scope",
                    self.credential_setting,
                )
            if status >= 400:
                raise self.error(endpoint, response_reason(response))
            return response

        retrying = Retrying(
            retry=retry_if_exception_type(_Retryable),
            stop=stop_after_attempt(s.pull_retry_attempts) | stop_before_delay(s.pull_deadline_seconds),
            wait=wait,
            reraise=True,
        )
        try:
            return retrying(attempt)
        except _Retryable as exc:
            attempts = retrying.statistics.get("attempt_number", 1)
            raise self.error(
                endpoint,
                f"gave up after {attempts} attempts: {exc.reason} (retries: COMMERCE_PULL_RETRY_ATTEMPTS, "
                "COMMERCE_PULL_DEADLINE_SECONDS)",
            ) from None

    def get_json(self, url: str, **kwargs) -> Any:
        response = self.request("GET", url, **kwargs)
        return self.decode(response)

    def decode(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise self.error(
                endpoint_of(response.request.url), f"the response is not JSON: {response_reason(response)}"
            ) from None
