"""HTTP for the paid APIs: the timeouts, retries and error messages their own clients use.

- Timeouts: connect 5 s, read 30 s (longer where a call is known to block, such as a chat).
- Retries: up to 3 on 408, 429 and 5xx, and on an HTTP 400 whose body wraps one of those.
  Never on 401, 402 or 422. A POST (which may create something that costs money) is retried
  only on 429, or when the connection was never made.
- The wait before a retry is the server's (`Retry-After` in seconds or as an HTTP date, a body
  `retry_after`, or `metadata.retry_after_seconds`), capped at 60 s; else an exponential
  backoff from 0.5 s to 8 s with jitter.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

import httpx

from .errors import Cancelled, GenerationError
from .keys import Secret, redact

TIMEOUT = httpx.Timeout(30.0, connect=5.0)
RETRYABLE = frozenset({408, 429, 500, 502, 503, 504})
NEVER_RETRY = frozenset({401, 402, 422})
MAX_RETRIES = 3
MAX_RETRY_AFTER_S = 60.0
MAX_DETAIL = 240

# Tests put a fake of the APIs here (an httpx.MockTransport); None means the real network.
TRANSPORT: httpx.BaseTransport | None = None


class Clock:
    """Time as generation sees it; tests pass one that does not really wait."""

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float, cancel: threading.Event) -> bool:
        """Wait, or stop early when the user aborts. True when aborted."""
        return cancel.wait(seconds)


class ApiError(GenerationError):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def client(base_url: str = "", headers: dict[str, str] | None = None, timeout: httpx.Timeout = TIMEOUT) -> httpx.Client:
    return httpx.Client(base_url=base_url, headers=headers or {}, timeout=timeout, transport=TRANSPORT,
                        follow_redirects=False)


def body_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _error_field(body: Any) -> dict:
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def effective_status(status: int, body: Any) -> int:
    """OpenRouter sometimes wraps a transient upstream failure in an HTTP 400."""
    code = _error_field(body).get("code")
    if status == 400 and isinstance(code, int) and code in RETRYABLE:
        return code
    return status


def detail_of(body: Any, response: httpx.Response) -> str:
    error = _error_field(body)
    text = error.get("message") if error else None
    if text is None and isinstance(body, dict):
        text = body.get("detail") or body.get("title")
    if text is None:
        text = response.reason_phrase or "no details"
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


def retry_after(response: httpx.Response, body: Any) -> float | None:
    """The wait the server asked for, in seconds, capped; None when it asked for none."""
    candidates: list[Any] = [response.headers.get("retry-after")]
    if isinstance(body, dict):
        candidates.append(body.get("retry_after"))
        metadata = _error_field(body).get("metadata")
        if isinstance(metadata, dict):
            candidates.append(metadata.get("retry_after_seconds"))
            headers = metadata.get("headers")
            if isinstance(headers, dict):
                candidates.append(headers.get("Retry-After"))
    for value in candidates:
        seconds = _seconds(value)
        if seconds is not None:
            return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)
    return None


def _seconds(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if text.replace(".", "", 1).isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None
    return when.timestamp() - time.time()


def backoff(attempt: int) -> float:
    return min(8.0, 0.5 * 2**attempt) * random.uniform(0.5, 1.0)


@dataclass
class Api:
    """One vendor's API: its base URL, its key, and how to tell its errors apart."""

    name: str  # as the user knows it: "OpenRouter", "Replicate"
    base_url: str
    key: Secret | None
    key_hint: str  # where the user sets the key
    clock: Clock
    cancel: threading.Event
    auth_scheme: str = "Bearer"

    def __post_init__(self) -> None:
        headers = {"Authorization": f"{self.auth_scheme} {self.key.reveal()}"} if self.key else {}
        self.http = client(self.base_url, headers)

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, url: str, *, json: Any = None, files: Any = None, headers: dict[str, str] | None = None,
                timeout: httpx.Timeout | None = None, stream: bool = False,
                on_status: Callable[[int, str], str | None] | None = None,
                cancel: threading.Event | None = None) -> httpx.Response:
        """Send with retries. Returns a 2xx/3xx response (open, when `stream`); raises ApiError.

        `on_status(status, detail)` may return a clearer message for a vendor-specific error.
        `cancel` replaces the API's own abort signal for this one call.
        """
        cancel = cancel or self.cancel
        for attempt in range(MAX_RETRIES + 1):
            if cancel.is_set():
                raise Cancelled()
            request = self.http.build_request(method, url, json=json, files=files, headers=headers,
                                              timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT)
            try:
                response = self.http.send(request, stream=stream)
            except httpx.TimeoutException:
                if method == "GET" and attempt < MAX_RETRIES:
                    self._wait(backoff(attempt), cancel)
                    continue
                raise ApiError(f"{self.name}: network timeout on {method} {request.url.path}: "
                               "check your connection and try again") from None
            except httpx.TransportError as error:
                if (method == "GET" or isinstance(error, httpx.ConnectError)) and attempt < MAX_RETRIES:
                    self._wait(backoff(attempt), cancel)
                    continue
                reason = type(error).__name__
                raise ApiError(f"{self.name}: network error on {method} {request.url.path} ({reason}): "
                               "check your connection and try again") from None
            if response.status_code < 400:
                return response
            if stream:
                response.read()
                response.close()
            body = body_of(response)
            status = effective_status(response.status_code, body)
            retryable = status in RETRYABLE and response.status_code not in NEVER_RETRY and (method == "GET" or status == 429)
            if retryable and attempt < MAX_RETRIES:
                wait = retry_after(response, body)
                self._wait(backoff(attempt) if wait is None else wait, cancel)
                continue
            raise self.error(response.status_code, detail_of(body, response), on_status)
        raise AssertionError("unreachable: the loop returns or raises")

    def _wait(self, seconds: float, cancel: threading.Event) -> None:
        if self.clock.sleep(seconds, cancel):
            raise Cancelled()

    def error(self, status: int, detail: str, on_status: Callable[[int, str], str | None] | None = None) -> ApiError:
        detail = redact(detail, [self.key.reveal()] if self.key else [])
        special = on_status(status, detail) if on_status else None
        if special:
            return ApiError(special, status)
        if status == 401:
            message = f"{self.name} refused the API key ({detail}): it is missing, wrong or expired; check {self.key_hint}"
        elif status == 402:
            message = f"{self.name}: no credit left ({detail}): add credit to the account, or use draft or mock mode"
        elif status == 404:
            message = f"{self.name}: not found ({detail}): check the model id with `cinefile models`"
        elif status == 422:
            message = f"{self.name} rejected the input (422: {detail}): check the model and its parameters"
        elif status == 429:
            message = f"{self.name} rate limit reached ({detail}): wait a while and try again"
        elif status >= 500:
            message = f"{self.name} is unavailable ({status}: {detail}): try again later"
        else:
            message = f"{self.name} refused the request ({status}: {detail})"
        return ApiError(message, status)

    def json_of(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise self.malformed("not JSON") from None

    def malformed(self, what: str) -> ApiError:
        return ApiError(f"{self.name} sent a malformed response ({what}): try again; nothing was written")
