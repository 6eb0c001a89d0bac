"""The checks every request passes before a route sees it, as plain ASGI middleware (a
streaming response, the event stream, passes through untouched):

- `HostCheck`: the Host header must name this server (127.0.0.1, localhost or [::1] with its
  port, or a host it was started for). A web page on another site can point its own domain at
  127.0.0.1 (DNS rebinding); its requests then carry that domain as Host, and are refused.
- `TokenCheck`: `Authorization: Bearer TOKEN`, compared in constant time, on every request but
  the few open ones (the health check, the docs page, which holds no data); and a body limit,
  checked before the body reaches a route.
"""

from __future__ import annotations

import hmac
from typing import Iterable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .problems import problem

MAX_BODY_BYTES = 5 * 2**20
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def loopback_hosts(port: int | None, *extra: str) -> list[str]:
    """The Host headers a server on this port answers to: the loopback names, and `extra`
    ones (a --host, a name clients use), each with the port unless it has one. With no port
    (an app mounted in a server whose port is chosen later), the names, on any port."""
    names = [*LOOPBACK_NAMES, *(f"[{name}]" if name.count(":") > 1 and not name.startswith("[") else name
                                for name in extra)]  # an IPv6 address goes in brackets, as in a Host header
    return list(dict.fromkeys(name if port is None or _has_port(name) else f"{name}:{port}" for name in names))


def _has_port(name: str) -> bool:
    return name.rpartition(":")[2].isdigit() and not name.endswith("]")


def _without_port(host: str) -> str:
    return host.rpartition(":")[0] if _has_port(host) else host


def route_path(scope: Scope) -> str:
    """The path below where the app is mounted (`/health` for `/api/health`)."""
    path, root = scope.get("path", ""), scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


async def _send_problem(scope: Scope, receive: Receive, send: Send, status: int, detail: str,
                        headers: dict[str, str] | None = None) -> None:
    await problem(status, detail, scope.get("path", ""), headers=headers)(scope, receive, send)


class HostCheck:
    """Answers only requests whose Host is one of `allowed_hosts`: `name:port`, or a bare name
    for any port."""

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str]) -> None:
        self.app = app
        self.allowed = {host.lower() for host in allowed_hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            host = Headers(scope=scope).get("host", "").lower()
            if host not in self.allowed and _without_port(host) not in self.allowed:
                shown = host[:100] or "(none)"
                await _send_problem(scope, receive, send, 403,
                                    f"Host {shown} is not one this server answers to: connect to "
                                    f"{sorted(self.allowed)[0]} (the check keeps other web sites out)")
                return
        await self.app(scope, receive, send)


class TokenCheck:
    def __init__(self, app: ASGIApp, token: str | None, open_paths: Iterable[str], max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.expected = None if token is None else f"bearer {token}".encode()
        self.open_paths = frozenset(open_paths)
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if not self._authorized(scope, headers):
            await _send_problem(scope, receive, send, 401,
                                "send the token as `Authorization: Bearer TOKEN`: `cinefile serve` prints it, "
                                "and keeps it in project.db-token beside the project's index",
                                {"WWW-Authenticate": 'Bearer realm="cinefile"'})
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        body = await self._body(headers, receive)
        if body is None:
            await _send_problem(scope, receive, send, 413,
                                f"the body is over {self.max_body // 2**20} MB: send less (a block's text, a screenplay)")
            return
        await self.app(scope, _replay(body, receive), send)

    def _authorized(self, scope: Scope, headers: Headers) -> bool:
        if self.expected is None or (scope["method"] == "GET" and route_path(scope) in self.open_paths):
            return True
        given = headers.get("authorization", "")
        # The scheme is case-insensitive (RFC 9110); the token itself is compared exactly.
        given = given[:7].lower() + given[7:] if given[:7].lower() == "bearer " else given
        return hmac.compare_digest(given.encode("utf-8", "replace"), self.expected)

    async def _body(self, headers: Headers, receive: Receive) -> bytes | None:
        """The whole body, or None once it passes the limit (by its Content-Length, or as it
        arrives when it has none): a route never starts on a body it would refuse."""
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            return None
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives the body read already, then waits on the real one (for a
    disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
