"""Serving the studio: Streamlit's ASGI app (`st.App`) for `app.py`, in this process, behind
a guard that checks every request's Host header and, with a token, the token.

`cinefile studio` calls `serve`. The server binds 127.0.0.1 unless told otherwise; any other
address needs a token, since the studio reads and writes the project and spends API credit.
The token comes in once in the URL (`/?token=...`), is swapped for an HttpOnly cookie with a
redirect that drops it from the address bar, and every later request and websocket shows the
cookie. A later HTTP API mounts its routes on the same app (`build_app(routes=...)`).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import os
import signal
import socket
import sys
import threading
import webbrowser
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence
from urllib.parse import quote

from cinefile.daemon.errors import UserError

APP_SCRIPT = Path(__file__).with_name("app.py")
TOKEN_PARAMETER = "token"
API_PATH = "/api"  # the HTTP API of `cinefile serve`, served here too
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD_ADDRESSES = frozenset({"0.0.0.0", "::"})
MAX_UPLOAD_MB = 10
MIN_TOKEN_LENGTH = 16  # as the HTTP API's

log = logging.getLogger("cinefile.studio")


@dataclass(frozen=True)
class Settings:
    folder: Path
    host: str = "127.0.0.1"
    port: int = 0  # 0: a free port, chosen when the socket binds
    token: str | None = None
    open_browser: bool = True
    allow_hosts: tuple[str, ...] = ()  # more Host names clients use (a LAN address, a .local name)


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_settings(settings: Settings) -> None:
    """Refuse, in one line, what must not start: another address without a token, a folder
    that is not there, a port already taken."""
    if not settings.folder.is_dir():
        raise UserError(f"{settings.folder}: no such folder")
    if not is_loopback(settings.host) and not settings.token:
        raise UserError(f"--host {settings.host} lets other machines in: give a token with --token or CINEFILE_TOKEN "
                        "(a long random one, e.g. `openssl rand -hex 16`)")
    if settings.token is not None and len(settings.token) < MIN_TOKEN_LENGTH:
        raise UserError(f"--token: use at least {MIN_TOKEN_LENGTH} characters (e.g. `openssl rand -hex 16`)")
    if settings.port:
        _check_port_free(settings.host, settings.port)


def _check_port_free(host: str, port: int) -> None:
    # Streamlit would log its own error and exit 1; a clear line is better.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as error:
            raise UserError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None


# --- the guard ---------------------------------------------------------------------------

def _host_name(header: str) -> str:
    """The name in a Host header, without its port: `[::1]:8501` -> `::1`."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else ""
    name = header.rsplit(":", 1)[0] if header.count(":") == 1 else header
    return name.rstrip(".")


def _given_hosts(settings: Settings) -> tuple[str, ...]:
    return () if settings.host in WILDCARD_ADDRESSES else (settings.host,)


def allowed_hosts(settings: Settings) -> frozenset[str]:
    """The Host names the server answers to, on any port, against DNS rebinding: a web page
    on another site can point its own name at 127.0.0.1, but its requests carry that name.
    The loopback names, the --host given (not a wildcard: the machine's names are not known)
    and each --allow-host."""
    return LOOPBACK_NAMES | {_host_name(name) for name in (*_given_hosts(settings), *settings.allow_hosts)}


def _under_api(path: str) -> bool:
    return path == API_PATH or path.startswith(API_PATH + "/")


class AccessGuard:
    """Pure ASGI middleware in front of everything Streamlit serves, HTTP and websocket."""

    def __init__(self, app, *, token: str | None, hosts: frozenset[str]) -> None:
        self.app = app
        self.hosts = hosts
        # The cookie holds a value derived from the token, not the token itself.
        self.session = None if not token else hmac.new(token.encode(), b"cinefile studio", hashlib.sha256).hexdigest()
        self.token = token

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        from starlette.datastructures import Headers, QueryParams

        headers = Headers(scope=scope)
        if _host_name(headers.get("host", "")) not in self.hosts:
            return await self._refuse(scope, receive, send, 403, "This name is not one the studio answers to: "
                                      "connect to 127.0.0.1, or start it with --allow-host NAME.")
        if self.token is None or _under_api(scope["path"]):  # /api checks its own bearer token
            return await self.app(scope, receive, send)
        query = QueryParams(scope.get("query_string", b"").decode("latin-1"))
        if scope["type"] == "http" and TOKEN_PARAMETER in query:
            if _same(query[TOKEN_PARAMETER], self.token):
                return await self._let_in(scope, receive, send, query)
            return await self._refuse(scope, receive, send, 401, "Wrong token.")
        if _same(_cookie(headers, self._cookie_name(scope)), self.session):
            return await self.app(scope, receive, send)
        return await self._refuse(scope, receive, send, 401,
                                  "This studio needs its token: open the URL `cinefile studio` printed.")

    @staticmethod
    def _cookie_name(scope) -> str:
        # Cookies ignore ports: two studios on one machine must not overwrite each other's.
        port = (scope.get("server") or ("", 0))[1]
        return f"cinefile_studio_{port}"

    async def _let_in(self, scope, receive, send, query) -> None:
        """The token, once: set the cookie and send the browser to the same page without it,
        so it stays out of the address bar, the history and the app's query parameters."""
        from starlette.responses import RedirectResponse

        rest = "&".join(f"{quote(k)}={quote(v)}" for k, v in query.multi_items() if k != TOKEN_PARAMETER)
        path = "/" + scope["path"].lstrip("/")  # `//elsewhere` would send the browser to another site
        response = RedirectResponse(path + (f"?{rest}" if rest else ""), status_code=303)
        response.set_cookie(self._cookie_name(scope), self.session, httponly=True, samesite="strict", path="/")
        await response(scope, receive, send)

    @staticmethod
    async def _refuse(scope, receive, send, status: int, message: str) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # before accept: HTTP 403
            return
        from starlette.responses import PlainTextResponse

        await PlainTextResponse(f"cinefile studio: {message}\n", status_code=status)(scope, receive, send)


def _same(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison, so timing tells nothing about the token."""
    return given is not None and expected is not None and hmac.compare_digest(given.encode(), expected.encode())


def _cookie(headers, name: str) -> str | None:
    from http.cookies import CookieError, SimpleCookie

    jar = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except CookieError:
        return None
    return jar[name].value if name in jar else None


# --- the server --------------------------------------------------------------------------

def streamlit_config(settings: Settings) -> dict:
    """Streamlit's options, set here so that a user's ~/.streamlit/config.toml cannot
    loosen them: no telemetry (users must not be tracked), no browser of its own, no file
    watcher reloading the app, uploads capped, CORS and XSRF protection on."""
    return {
        "server.address": settings.host,
        "server.port": settings.port,
        "server.headless": True,
        "browser.gatherUsageStats": False,
        "server.fileWatcherType": "none",
        "server.runOnSave": False,
        "server.maxUploadSize": MAX_UPLOAD_MB,
        "server.enableCORS": True,
        "server.enableXsrfProtection": True,
        "global.developmentMode": False,
        "client.toolbarMode": "viewer",
        "logger.hideWelcomeMessage": True,  # we print the URL (with the token); and no external-IP lookup
    }


def url(settings: Settings, port: int) -> str:
    """The address to open: loopback for a wildcard bind, with the token once if there is one."""
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(settings.host, settings.host)
    host = f"[{host}]" if ":" in host else host
    query = f"?{TOKEN_PARAMETER}={quote(settings.token, safe='')}" if settings.token else ""
    return f"http://{host}:{port}/{query}"


def can_open_browser() -> bool:
    """Not in CI, nor on a Linux box without a display: webbrowser would start a text browser
    in this terminal, or nothing."""
    if os.environ.get("CI"):
        return False
    if sys.platform.startswith(("linux", "freebsd", "openbsd")):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def show_script_error(error: Exception) -> bool:
    """An error no page caught: one line on the page, the trace in the terminal only."""
    import streamlit as st

    if isinstance(error, UserError):
        st.error(str(error), icon=":material/error:")
    else:
        log.error("a studio page failed", exc_info=error)
        st.error(f"internal error: {type(error).__name__}: {error} (the terminal running `cinefile studio` "
                 "has the details; please report it)", icon=":material/error:")
    return True  # Streamlit shows no traceback


def build_app(settings: Settings, *, announce: Callable[[str], None] = print, routes: Sequence = ()):
    """The ASGI app: the studio's pages behind the guard, plus any extra routes."""
    import streamlit as st
    from starlette.middleware import Middleware

    from starlette.routing import Mount

    from cinefile.daemon.http import loopback_hosts, new_token
    from cinefile.studio.http_mount import ProjectHttpApi

    api_token = settings.token or new_token()
    http_api = ProjectHttpApi(settings.folder, token=api_token,
                              hosts=loopback_hosts(None, *_given_hosts(settings), *settings.allow_hosts))

    @asynccontextmanager
    async def started(_app):
        # Runs once the socket is bound, so the port is the real one (a free one for --port 0).
        from streamlit import config

        address = url(settings, config.get_option("server.port"))
        announce(f"cinefile studio: serving {settings.folder} at {address}  (Ctrl-C to stop)")
        token_said = "the token given" if settings.token else api_token
        announce(f"  its HTTP API: {address.split('?')[0].rstrip('/')}{API_PATH}  (Authorization: Bearer {token_said})")
        if settings.open_browser and can_open_browser():
            threading.Thread(target=webbrowser.open, args=(address,), daemon=True).start()
        try:
            yield
        finally:
            await http_api.close()

    guard = Middleware(AccessGuard, token=settings.token, hosts=allowed_hosts(settings))
    return st.App(APP_SCRIPT, lifespan=started, routes=[Mount(API_PATH, app=http_api), *routes], middleware=[guard],
                  on_script_error=show_script_error)


def serve(settings: Settings, *, announce: Callable[[str], None] = print) -> None:
    """Serve the studio until Ctrl-C. Blocks."""
    from cinefile.studio.context import ROOT_VARIABLE

    check_settings(settings)
    os.environ[ROOT_VARIABLE] = str(settings.folder.resolve())
    _quiet_uvicorn()
    app = build_app(settings, announce=announce)
    # App.run takes sys.argv[0] as the launcher script; the studio's own script is the one.
    sys.argv = [str(APP_SCRIPT)]
    signal.signal(signal.SIGTERM, _stop)
    try:
        app.run(config=streamlit_config(settings))
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl-C it handled, after a clean shutdown
        pass
    announce("cinefile studio: stopped")


def _stop(signum, frame) -> None:
    # SIGTERM ends the studio as cleanly as Ctrl-C (uvicorn re-sends it after its shutdown).
    raise KeyboardInterrupt


def _quiet_uvicorn() -> None:
    # Uvicorn logs its start-up at INFO with its own URL (without the token); warnings and
    # errors still show. Its default logging config is a module dict that Config reads.
    from uvicorn.config import LOGGING_CONFIG

    for name in ("uvicorn", "uvicorn.error"):
        LOGGING_CONFIG["loggers"][name]["level"] = "WARNING"
