"""`cinefile serve`: the HTTP API (daemon/http/) under /api, on 127.0.0.1 by default, with a
token every request must carry. FastAPI and uvicorn are imported when it runs: every other
command would pay for them at start."""

from __future__ import annotations

import contextlib
import ipaddress
import signal
import socket
from pathlib import Path
from typing import Annotated, Callable, Iterator, Optional

import typer

from .common import command, fail

DEFAULT_PORT = 8765
LOOPBACK = ("127.0.0.1", "localhost", "::1")


@command()
def serve(
    folder: Annotated[Optional[Path], typer.Argument(metavar="DIR", help="The project (default: the one around "
                                                                         "the current folder).")] = None,
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="0: any free port (printed).")] = DEFAULT_PORT,
    host: Annotated[str, typer.Option("--host", help="The address to listen on. Other than loopback, a --token is "
                                                     "required.")] = "127.0.0.1",
    token: Annotated[Optional[str], typer.Option("--token", envvar="CINEFILE_TOKEN", show_envvar=True,
                                                 help="The token clients must send (default: a new random one, "
                                                      "printed).")] = None,
    cors_origin: Annotated[Optional[list[str]], typer.Option(
        "--cors-origin", metavar="ORIGIN",
        help="A web origin allowed to call the API from a browser (repeatable; default: none, CORS off).")] = None,
    allow_host: Annotated[Optional[list[str]], typer.Option(
        "--allow-host", metavar="NAME", help="Another Host name clients use to reach the server (repeatable).")] = None,
    heartbeat: Annotated[float, typer.Option("--heartbeat", min=0.5, max=300, metavar="SECONDS",
                                             help="Seconds between keep-alive comments on /api/events.")] = 15.0,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every request (method, path, status).")] = False,
) -> None:
    """Serve the project over HTTP for other front ends: blocks, history,
    generation, exports and live events, under /api.

    It listens on 127.0.0.1 and prints the token every request must send as
    `Authorization: Bearer TOKEN` (also kept in project.db-token, readable by
    you only, while it runs). Interactive docs are at /api/docs. Ctrl-C stops it.

    Example:

        cinefile serve --port 8765
        CINEFILE_TOKEN="$(openssl rand -hex 16)" cinefile serve --host 0.0.0.0 --allow-host studio.local
    """
    given = token is not None
    if given and len(token.strip()) < 16:
        fail("--token: use at least 16 characters (or leave it out for a random one)")
    if not _loopback(host) and not given:
        fail(f"--host {host} serves beyond this machine: give a token with --token or CINEFILE_TOKEN first")
    _serve(folder, host, port, token.strip() if given else None, cors_origin or [], allow_host or [], heartbeat, verbose)


def _loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that the port is known (--port 0) before the app is
    made. Made as a TCP socket by name: asyncio turns Nagle's algorithm off only on those, and
    with it on, a response's body waits for the client's delayed ACK of its headers (40 ms)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(socket.SOMAXCONN)
        return sock
    except OSError as error:
        sock.close()
        if port and error.errno in (98, 48):  # EADDRINUSE on Linux, macOS
            fail(f"port {port} is in use: pick another with --port (0: any free one)")
        fail(f"cannot listen on {host}:{port} ({error.strerror or error})")
        raise  # unreachable: fail exits


def _serve(folder: Path | None, host: str, port: int, token: str | None, cors: list[str], allow: list[str],
           heartbeat: float, verbose: bool) -> None:
    import uvicorn
    from cinefile.daemon.api import ProjectAPI
    from cinefile.daemon.http import create_app, http_problem, loopback_hosts, new_token, token_file
    from starlette.applications import Starlette
    from starlette.exceptions import HTTPException
    from starlette.routing import Mount

    with ProjectAPI.open(folder) as api:
        sock = _listen(host, port)
        port = sock.getsockname()[1]
        shown_host = host if host not in ("0.0.0.0", "::") else "127.0.0.1"
        extra = [name for name in (host, *allow) if name not in LOOPBACK]
        the_token = token or new_token()
        app = create_app(api, token=the_token, allowed_hosts=loopback_hosts(port, *extra), cors_origins=cors,
                         heartbeat=heartbeat, watch=False)
        app.state.cinefile.start_watching()  # here, so a folder that cannot be watched is one line
        root = Starlette(routes=[Mount("/api", app=app)], lifespan=lambda _: app.router.lifespan_context(app),
                         exception_handlers={HTTPException: http_problem})
        config = uvicorn.Config(root, log_level="info" if verbose else "warning", access_log=verbose,
                                timeout_graceful_shutdown=10)
        server = _stopping_server(config, app.state.cinefile.close_streams)
        base = f"http://{'[' + shown_host + ']' if ':' in shown_host else shown_host}:{port}/api"
        with token_file(api.project.db_path, the_token) as kept:
            fragment = f"#token={the_token}" if token is None else ""
            typer.echo(f"serving {api.project.config.name} on {base}  (docs: {base}/docs{fragment})")
            typer.echo(f"token: {the_token if token is None else 'the one given'}  (kept in {kept} while it runs)")
            typer.echo("Ctrl-C to stop")
            server.run(sockets=[sock])
    typer.echo("stopped")


def _stopping_server(config, on_exit: Callable[[], None]):
    """uvicorn's server, ending the event streams and jobs as soon as it is asked to stop
    (otherwise it would wait on every open stream), and returning when it has stopped, so the
    token file is removed and the index closed (uvicorn would raise the signal again, which
    ends the process there)."""
    import uvicorn

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame) -> None:
            on_exit()
            super().handle_exit(sig, frame)

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    return Server(config)
