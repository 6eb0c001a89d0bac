"""The real `cinefile serve` in a child process, and what the HTTP tests share: a client with
the token, an event stream reader, and waiting with a deadline (never a fixed sleep)."""

from __future__ import annotations

import atexit
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import httpx
from refusing_provider import SEEN_PATH
from watch_helpers import eventually  # the tests' one deadline loop, also for the test modules here
from cinefile.daemon.api.scaffold import init_project
from cinefile.daemon.generate.keys import ENV_NAMES

TOKEN = "test-token-" + "0123456789abcdef" * 2
CORS_ORIGIN = "https://studio.example"  # the second server's
PROJECTS = Path(__file__).parents[1] / "projects"
DEADLINE_S = 20.0
STARTED = re.compile(r"on (http://\S+/api)")


_provider: subprocess.Popen | None = None
_provider_port = 0


def provider_url() -> str:
    """Where the refusing provider listens: a process of its own, started once for the run
    (a thread here would leave the test process threaded, and sync then forks no readers)."""
    global _provider, _provider_port
    if _provider is None:
        _provider = subprocess.Popen([sys.executable, str(Path(__file__).with_name("refusing_provider.py"))], stdout=subprocess.PIPE, text=True)
        atexit.register(_provider.kill)
        _provider_port = int(_provider.stdout.readline())
    return f"http://127.0.0.1:{_provider_port}"


def provider_seen() -> list[str]:
    """The Authorization headers the refusing provider has received so far."""
    return httpx.get(provider_url() + SEEN_PATH).json()


def server_env(**extra: str) -> dict[str, str]:
    """The environment of a server under test: no provider keys (generation runs on the mock
    unless a request sends keys), and the providers' APIs at the refusing provider."""
    names = {name for names in ENV_NAMES.values() for name in names} | {"CINEFILE_TOKEN"}
    env = {k: v for k, v in os.environ.items() if k not in names}
    return env | {"OPENROUTER_BASE_URL": provider_url(), "REPLICATE_BASE_URL": provider_url()} | extra


def sample_copy(folder: Path) -> Path:
    """The sample film, as `cinefile init --sample` writes it, in `folder`."""
    return init_project(folder / "night-ferry", sample=True).root


@dataclass
class Server:
    root: Path
    process: subprocess.Popen
    out: Path
    err: Path
    base: str = ""
    token: str = TOKEN
    clients: list[httpx.Client] = field(default_factory=list)

    @property
    def host(self) -> str:
        return self.base.split("/")[2]

    def client(self, token: str | None = None, **headers: str) -> httpx.Client:
        given = {"Authorization": f"Bearer {token or self.token}"} | headers
        client = httpx.Client(base_url=self.base, headers=given, timeout=DEADLINE_S)
        self.clients.append(client)
        return client

    def output(self) -> str:
        return self.out.read_text() + self.err.read_text()

    def stop(self) -> int:
        for client in self.clients:
            client.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=DEADLINE_S)


def start(root: Path, *args: str, env: dict[str, str] | None = None, logs: Path | None = None) -> Server:
    """`cinefile serve ROOT --port 0 ARGS` (with the token TOKEN unless `env` says), once its
    health check answers."""
    logs = logs or root.parent
    stem = logs / f"serve-{time.monotonic_ns()}"
    out, err = stem.with_suffix(".out"), stem.with_suffix(".err")
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "cinefile.cli", "serve", str(root), "--port", "0", *args],
                                   stdout=stdout, stderr=stderr, env=env or server_env(CINEFILE_TOKEN=TOKEN))
    server = Server(root, process, out, err)

    def started() -> str | None:
        if process.poll() is not None:
            raise AssertionError(f"cinefile serve exited with {process.returncode}: {server.output()}")
        found = STARTED.search(out.read_text())
        return found and found.group(1)

    server.base = eventually(started, "cinefile serve printed where it listens")
    eventually(lambda: _healthy(server.base), "GET /api/health answered")
    server.token = (root / "project.db-token").read_text().strip()  # as a script finds it
    return server


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def copy_of(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("project.db*"))
    return target


@dataclass
class SseEvent:
    id: str | None
    kind: str
    data: dict | None


class EventStream:
    """GET /api/events read in a thread: events, and heartbeat comments, as they arrive."""

    def __init__(self, server: Server, last_event_id: str | None = None) -> None:
        headers = {"Authorization": f"Bearer {server.token}"} | ({"Last-Event-ID": last_event_id} if last_event_id else {})
        self._client = httpx.Client(base_url=server.base, headers=headers, timeout=httpx.Timeout(DEADLINE_S, read=None))
        self.items: queue.Queue[SseEvent | str | None] = queue.Queue()
        self.received: list[SseEvent | str] = []  # everything, whether a test looked at it or not
        self.connected = threading.Event()
        self.status: int | None = None
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        assert self.connected.wait(DEADLINE_S), "the event stream did not open"
        assert self.status == 200, self.status

    def _read(self) -> None:
        try:
            with self._client.stream("GET", "/events") as response:
                self.status = response.status_code
                fields: dict[str, str] = {}
                for line in response.iter_lines():
                    if line.startswith(":"):
                        self._put(line)
                        self.connected.set()  # the server sends `: connected` once it listens
                    elif line == "":
                        if "event" in fields:
                            data = json.loads(fields["data"]) if "data" in fields else None
                            self._put(SseEvent(fields.get("id"), fields["event"], data))
                        fields = {}
                    else:
                        name, _, value = line.partition(":")
                        fields[name] = value.removeprefix(" ")
        except (httpx.HTTPError, RuntimeError):
            pass  # closed by the test
        finally:
            self.connected.set()
            self.items.put(None)

    def _put(self, item: SseEvent | str) -> None:
        self.received.append(item)
        self.items.put(item)

    def next(self, match: Callable[[SseEvent], bool], what: str, timeout: float = DEADLINE_S) -> SseEvent:
        """The next event `match` accepts (events before it are passed over)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                item = self.items.get(timeout=max(left, 0.001))
            except queue.Empty:
                raise AssertionError(f"within {timeout:.0f}s: {what}") from None
            if item is None:
                raise AssertionError(f"the stream ended before {what}")
            if isinstance(item, SseEvent) and match(item):
                return item

    def next_comment(self, text: str, timeout: float = DEADLINE_S) -> None:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                item = self.items.get(timeout=left)
            except queue.Empty:
                break
            if item == f": {text}":
                return
            if item is None:
                raise AssertionError(f"the stream ended before `: {text}`")
        raise AssertionError(f"within {timeout:.0f}s: no `: {text}` comment")

    def ended(self, timeout: float = DEADLINE_S) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def close(self) -> None:
        self._client.close()
