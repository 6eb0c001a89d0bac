"""Rate limits: how long a server asks to wait, and one gate per API so that jobs running at
once wait out the same window instead of each hammering the API.

Replicate allows 600 prediction creates and 3,000 other requests a minute (far fewer with a low
balance) and answers 429 `Request was throttled. Your rate limit resets in ~30s.`, with or
without `Retry-After` or a body `retry_after`; OpenRouter's 429 may carry
`metadata.retry_after_seconds` or the limit's `X-RateLimit-Reset`. A window lasts about 30 to
60 s, so a request waits it out, up to MAX_WAIT_S in all, rather than giving up after a few
short retries.
"""

from __future__ import annotations

import email.utils
import random
import re
import threading
import time
from typing import Any, Callable

import httpx

from .errors import Cancelled

# The most one request waits on rate limits, in all: a window or two, not a coffee break.
MAX_WAIT_S = 90.0
MAX_BACKOFF_S = 30.0
# Never ask again sooner than this after a 429, whatever the server's clock says is left.
MIN_WAIT_S = 1.0
# How often a job waiting for another job's window checks that the user has not aborted.
GATE_POLL_S = 0.2
RESETS_IN = re.compile(r"resets in ~?\s*(\d+(?:\.\d+)?)\s*s", re.IGNORECASE)


def server_wait(response: httpx.Response, body: Any) -> float | None:
    """The wait the server asked for, in seconds (however long); None when it asked for none."""
    error = body.get("error") if isinstance(body, dict) else None
    metadata = error.get("metadata") if isinstance(error, dict) else None
    metadata = metadata if isinstance(metadata, dict) else {}
    meta_headers = metadata.get("headers") if isinstance(metadata.get("headers"), dict) else {}
    asked: list[Any] = [response.headers.get("retry-after"), body.get("retry_after") if isinstance(body, dict) else None,
                        metadata.get("retry_after_seconds"), meta_headers.get("Retry-After")]
    for value in asked:
        seconds = _seconds(value)
        if seconds is not None:
            return max(seconds, 0.0)
    for value in (meta_headers.get("X-RateLimit-Reset"), response.headers.get("x-ratelimit-reset"),
                  response.headers.get("ratelimit-reset")):
        seconds = _reset_in(value)
        if seconds is not None:
            return max(seconds, 0.0)
    detail = body.get("detail") if isinstance(body, dict) else None
    found = RESETS_IN.search(detail) if isinstance(detail, str) else None
    if found:  # "~30s" is approximate: come back a little after, not all at the same instant
        return float(found.group(1)) * random.uniform(1.0, 1.1)
    return None


def _seconds(value: Any) -> float | None:
    """Retry-After: seconds, or an HTTP date."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip()
    if text.replace(".", "", 1).isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return when.timestamp() - time.time()


def _reset_in(value: Any) -> float | None:
    """A limit's reset: epoch milliseconds (OpenRouter), epoch seconds, or seconds from now."""
    try:
        number = float(str(value).strip()) if value is not None else None
    except ValueError:
        return None
    if number is None:
        return None
    if number > 1e12:
        return number / 1000 - time.time()
    if number > 1e9:
        return number - time.time()
    return number


class WaitBudget:
    """The waits one request spends on rate limits: the server's word when it gives one, else
    a backoff growing from 1 s to 30 s with jitter; never more than MAX_WAIT_S in all."""

    def __init__(self) -> None:
        self.spent = 0.0
        self.tries = 0

    def next(self, asked: float | None) -> float | None:
        """How long to wait before trying again; None when waiting cannot help within the budget
        (it is spent, or the server says the limit lasts longer)."""
        if asked is not None:
            wait = max(asked, MIN_WAIT_S)
            if self.spent + wait > MAX_WAIT_S:
                return None
        else:
            wait = min(min(MAX_BACKOFF_S, 2.0**self.tries) * random.uniform(0.5, 1.0), MAX_WAIT_S - self.spent)
            if wait < 0.5:
                return None
        self.tries += 1
        self.spent += wait
        return wait


class Gate:
    """One API's rate-limit window, shared by the jobs of this process: while one job waits it
    out (and then tries again), the others using the same API wait for it instead of each
    sending a request that would be refused too."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._holder: int | None = None  # the thread waiting out the window
        # Windows waited out so far: a 429 to a request sent before the last one ended is
        # old news, and the request is sent again at once.
        self.windows = 0

    def hold(self) -> bool:
        """Become the job that waits out the window; False when another job already does."""
        me = threading.get_ident()
        with self._changed:
            if self._holder not in (None, me):
                return False
            self._holder = me
            return True

    def release(self) -> None:
        with self._changed:
            if self._holder == threading.get_ident():
                self._holder = None
                self.windows += 1
                self._changed.notify_all()

    def enter(self, cancel: threading.Event, waiting: Callable[[], None]) -> None:
        """Wait while another job waits out the window; `waiting()` is told once if so."""
        me = threading.get_ident()
        told = False
        while True:
            if cancel.is_set():
                raise Cancelled()
            with self._changed:
                if self._holder in (None, me):
                    return
                if told:
                    self._changed.wait(GATE_POLL_S)
                    continue
            told = True
            waiting()  # outside the lock: it may draw a progress line


_GATES: dict[str, Gate] = {}
_GATES_LOCK = threading.Lock()


def gate_for(base_url: str) -> Gate:
    """The gate of an API, by base URL: one per API in this process."""
    with _GATES_LOCK:
        return _GATES.setdefault(base_url, Gate())
