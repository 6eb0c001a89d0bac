"""A faithful fake of OpenRouter and Replicate, served through httpx.MockTransport.

It follows the vendors' wire shapes and status codes (see docs/generation.md, "The APIs"):
OpenRouter's /models (modality filter, `:free` and `-1` prices), chat completions (plain and
streamed, with comments, a usage chunk and [DONE]), its error bodies; Replicate's collections
with input schemas, predictions (201, Prefer: wait, a state machine advanced by polls, cancel,
failed with 200), problem+json errors, and the output files. Switches make it misbehave.
The two halves live in fake_openrouter.py and fake_replicate.py.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable
from typing import Any

import httpx
from fake_common import MP4, OPENROUTER_KEY, PNG, REPLICATE_KEY, WAV, Reply  # noqa: F401  (re-exported)
from fake_openrouter import TEXT_MODELS, FakeOpenRouter, or_error  # noqa: F401
from fake_replicate import CDN_HOST, COLLECTIONS, REP_HOST, FakeReplicate, problem  # noqa: F401

OR_HOST = "openrouter.ai"


class FakeAPIs(FakeOpenRouter, FakeReplicate):
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.log: list[tuple[str, str, dict]] = []  # method, url, headers
        self.bodies: list[Any] = []
        # Queued replies served before the normal behaviour, per route: "models", "chat", "create", "get".
        self.queued: dict[str, list[Reply | Exception]] = {"models": [], "chat": [], "create": [], "get": []}
        self.on_request: Callable[[httpx.Request], None] | None = None
        self.ids = itertools.count(1)
        self.init_openrouter()
        self.init_replicate()

    # --- plumbing ---

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.log.append((request.method, str(request.url), dict(request.headers)))
        if self.on_request:
            self.on_request(request)
        host = request.url.host
        if host == OR_HOST:
            reply = self.openrouter(request)
        elif host == REP_HOST:
            reply = self.replicate(request)
        elif host == CDN_HOST:
            return self.cdn(request)
        else:
            raise httpx.ConnectError(f"no route to {host} in the fake")
        if isinstance(reply, httpx.Response):
            return reply
        content = reply.body if isinstance(reply.body, (bytes, str)) else json.dumps(reply.body)
        headers = {"content-type": "application/json"} | reply.headers
        return httpx.Response(reply.status, content=content, headers=headers)

    def _queued(self, route: str) -> Reply | None:
        with self.lock:
            if not self.queued[route]:
                return None
            reply = self.queued[route].pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply

    def calls(self, method: str, fragment: str) -> list[tuple[str, str, dict]]:
        return [c for c in self.log if c[0] == method and fragment in c[1]]
