"""HTTP for the paid APIs: the timeouts, retries and error messages their own clients use.

- Timeouts: connect 5 s, read 30 s (longer where a call is known to block, such as a chat).
- Retries: up to 3 on 408 and 5xx, and on an HTTP 400 whose body wraps one of those.
  Never on 401, 402 or 422. A POST (which may create something that costs money) is retried
  only when the connection was never made, or on a status the caller knows costs nothing
  (`retry_on`: OpenRouter charges nothing for 408, 502 and 503).
- The wait before a retry is the server's (`Retry-After` in seconds or as an HTTP date, a body
  `retry_after`, or `metadata.retry_after_seconds`), capped at 60 s; else an exponential
  backoff from 0.5 s to 8 s with jitter.
- 429 (rate limited, so nothing was done: a POST too) waits out the window, up to 90 s in all
  (see rate_limit.py), and the other jobs using the same API wait for the same window. The wait
  is said on the job's progress line (`report_waits_to`).
- Within `deadline(...)` (the model lists: a command waits ~20 s for them in all), each attempt's
  timeout is shortened to fit, and nothing is retried past it.
"""

from __future__ import annotations

import contextlib
import contextvars
import random
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Collection, Iterator

import httpx

from .errors import Cancelled, GenerationError
from .keys import Secret, redact
from .rate_limit import MAX_WAIT_S as MAX_RATE_LIMIT_WAIT_S
from .rate_limit import WaitBudget, gate_for, server_wait

TIMEOUT = httpx.Timeout(30.0, connect=5.0)
RETRYABLE = frozenset({408, 500, 502, 503, 504})
RATE_LIMITED = 429
NEVER_RETRY = frozenset({401, 402, 422})
MAX_RETRIES = 3
MAX_RETRY_AFTER_S = 60.0
MAX_DETAIL = 240

# Tests put a fake of the APIs here (an httpx.MockTransport); None means the real network.
TRANSPORT: httpx.BaseTransport | None = None

# Said to the job whose request waits on a rate limit; set per job by whoever runs it, since
# the wait happens deep inside a provider's call and the progress line is the runner's.
_PROGRESS: contextvars.ContextVar[Callable[[str], None] | None] = contextvars.ContextVar("progress", default=None)
# A clock time past which the requests of this block give up (see `deadline`).
_DEADLINE: contextvars.ContextVar[tuple["Clock", float] | None] = contextvars.ContextVar("deadline", default=None)


@contextlib.contextmanager
def report_waits_to(progress: Callable[[str], None]) -> Iterator[None]:
    """Within this block, say each rate-limit wait of this thread's requests to `progress`."""
    token = _PROGRESS.set(progress)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


@contextlib.contextmanager
def deadline(clock: Clock, at: float) -> Iterator[None]:
    """Within this block, requests give up when `clock` passes `at`: each attempt's timeout is
    shortened to fit, and nothing is retried or waited for past it."""
    token = _DEADLINE.set((clock, at))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def _time_left() -> float | None:
    bound = _DEADLINE.get()
    return None if bound is None else bound[1] - bound[0].now()


def _say(stage: str) -> None:
    progress = _PROGRESS.get()
    if progress is not None:
        progress(stage)


class Clock:
    """Time as generation sees it; tests pass one that does not really wait."""

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float, cancel: threading.Event) -> bool:
        """Wait, or stop early when the user aborts. True when aborted."""
        return cancel.wait(seconds)


class ApiError(GenerationError):
    """A refused or failed request: its one line, the HTTP status and the server's own words."""

    def __init__(self, message: str, status: int | None = None, detail: str = "", body: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail
        self.body = body  # the parsed error body, for a provider that explains its own errors


def duration(seconds: float) -> str:
    """A wait as a person says it: `40 s`, `12 min`, `5 h`."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.0f} h"


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
    if status == 400 and isinstance(code, int) and (code in RETRYABLE or code == RATE_LIMITED):
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
    """The wait the server asked for before a retry (not a rate limit's), capped; None when it
    asked for none."""
    seconds = server_wait(response, body)
    return None if seconds is None else min(seconds, MAX_RETRY_AFTER_S)


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
                cancel: threading.Event | None = None, retry_on: Collection[int] = ()) -> httpx.Response:
        """Send with retries. Returns a 2xx/3xx response (open, when `stream`); raises ApiError.

        `on_status(status, detail)` may return a clearer message for a vendor-specific error.
        `cancel` replaces the API's own abort signal for this one call. `retry_on`: statuses
        on which a POST may be sent again because the API charged nothing for it.
        """
        cancel = cancel or self.cancel
        gate = gate_for(self.base_url)
        rate_waits = WaitBudget()
        failures = 0
        try:
            while True:
                if cancel.is_set():
                    raise Cancelled()
                gate.enter(cancel, lambda: _say(f"rate limited by {self.name}: waiting with the other jobs"))
                request = self.http.build_request(method, url, json=json, files=files, headers=headers,
                                                  timeout=self._timeout(timeout, method, url))
                retry = method == "GET" and failures < MAX_RETRIES
                window = gate.windows
                try:
                    response = self.http.send(request, stream=stream)
                except httpx.TimeoutException:
                    if retry and self._may_wait(backoff(failures), cancel):
                        failures += 1
                        continue
                    raise ApiError(f"{self.name}: network timeout on {method} {request.url.path}: "
                                   "check your connection and try again") from None
                except httpx.TransportError as error:
                    if (retry or (isinstance(error, httpx.ConnectError) and failures < MAX_RETRIES)) \
                            and self._may_wait(backoff(failures), cancel):
                        failures += 1
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
                detail = detail_of(body, response)
                if status == RATE_LIMITED and response.status_code not in NEVER_RETRY:
                    if gate.windows != window:
                        continue  # refused in a window another job has waited out since: ask again now
                    wait = rate_waits.next(server_wait(response, body))
                    left = _time_left()
                    if wait is not None and (left is None or wait < left):
                        if gate.hold():  # else another job waits out this window: wait for it at the gate
                            _say(f"rate limited by {self.name}: waiting {wait:.0f} s")
                            self._wait(wait, cancel)
                        continue
                    raise self.error(RATE_LIMITED, detail, on_status, waited=rate_waits.spent,
                                     resets_in=server_wait(response, body), body=body)
                may_retry = status in RETRYABLE and response.status_code not in NEVER_RETRY \
                    and (method == "GET" or status in retry_on) and failures < MAX_RETRIES
                if may_retry:
                    asked = retry_after(response, body)
                    if self._may_wait(backoff(failures) if asked is None else asked, cancel):
                        failures += 1
                        continue
                raise self.error(response.status_code, detail, on_status, body=body)
        finally:
            gate.release()

    def _timeout(self, timeout: httpx.Timeout | None, method: str, url: str) -> httpx.Timeout | Any:
        """The call's own timeout, shortened to fit the deadline of the block it runs in."""
        left = _time_left()
        if left is None:
            return timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT
        if left <= 0:
            raise ApiError(f"{self.name}: no answer in the time allowed for {method} {url}: "
                           "check your connection and try again")
        chosen = timeout or self.http.timeout
        return httpx.Timeout(min(chosen.read or left, left), connect=min(chosen.connect or left, left))

    def _may_wait(self, seconds: float, cancel: threading.Event) -> bool:
        """Wait before a retry, unless that would go past the deadline (False: do not retry)."""
        left = _time_left()
        if left is not None and seconds >= left:
            return False
        self._wait(seconds, cancel)
        return True

    def _wait(self, seconds: float, cancel: threading.Event) -> None:
        if self.clock.sleep(seconds, cancel):
            raise Cancelled()

    def error(self, status: int, detail: str, on_status: Callable[[int, str], str | None] | None = None, *,
              waited: float = 0.0, resets_in: float | None = None, body: Any = None) -> ApiError:
        """The one line for a refused request. For a rate limit: how long it waited (`waited`)
        and, when the server said, when the limit resets (`resets_in`, seconds)."""
        detail = redact(detail, [self.key.reveal()] if self.key else [])
        special = on_status(status, detail) if on_status else None
        if special:
            return ApiError(special, status, detail, body)
        if status == 401:
            message = f"{self.name} refused the API key ({detail}): it is missing, wrong or expired; check {self.key_hint}"
        elif status == 402:
            message = f"{self.name}: no credit left ({detail}): add credit to the account, or use draft or mock mode"
        elif status == 404:
            message = f"{self.name}: not found ({detail}): check the model id with `cinefile models`"
        elif status == 422:
            message = f"{self.name} rejected the input (422: {detail}): check the model and its parameters"
        elif status == RATE_LIMITED:
            if resets_in is not None and waited + resets_in > MAX_RATE_LIMIT_WAIT_S:
                when = f"it resets in {duration(resets_in)}; try again then"
            else:
                when = "try again in a minute, or run fewer jobs at once (-j)"
            waits = f"waited {waited:.0f} s; " if waited else ""
            message = f"{self.name} rate limit reached ({detail}): {waits}{when}"
        elif status >= 500:
            message = f"{self.name} is unavailable ({status}: {detail}): try again later"
        else:
            message = f"{self.name} refused the request ({status}: {detail})"
        return ApiError(message, status, detail, body)

    def redact(self, text: str) -> str:
        return redact(text, [self.key.reveal()] if self.key else [])

    def json_of(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise self.malformed("not JSON") from None

    def malformed(self, what: str) -> ApiError:
        return ApiError(f"{self.name} sent a malformed response ({what}): try again; nothing was written")
