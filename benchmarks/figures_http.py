"""HTTP API figures, through the real `cinefile serve` process driven by httpx, as a client
of the API drives it:

- `GET /api/blocks/{id}` (a scene's or a shot's card, with its file): p50/p95/p99;
- a filtered list page, `GET /api/blocks?type=scene&limit=50` (all scenes matched, the first
  50 sent): p50/p95/p99;
- a `PUT` of a block's text -> the `sync` event naming it on `GET /api/events`: p50/p95/p99;
- throughput: 16 clients at once, each reading cards one after another, for a few seconds
  (the clients run in this process, on the same cores as the server).

The blocks written are put back as they were afterwards.
"""

from __future__ import annotations

import json
import queue
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from common import block_files, latencies

DEADLINE_S = 120.0
TOKEN = "benchmark-token-0123456789abcdef"
READERS = 16
THROUGHPUT_S = 3.0  # at most: a quick run (few samples) reads for less, never under half a second
WARM_UP = 50


class _Server:
    """`cinefile serve --port 0` on the project, once its health check answers."""

    def __init__(self, root: Path) -> None:
        self.log = tempfile.TemporaryFile("w+")
        self.process = subprocess.Popen([sys.executable, "-m", "cinefile.cli", "serve", str(root), "--port", "0",
                                         "--token", TOKEN], stdout=self.log, stderr=subprocess.STDOUT, text=True)
        self.base = self._wait_for(self._listening, "cinefile serve to print where it listens")
        self._wait_for(self._healthy, "GET /api/health")

    def _wait_for(self, found, what: str):
        end = time.monotonic() + DEADLINE_S
        while time.monotonic() < end:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"cinefile serve exited with {self.process.returncode}: {self.log.read()}")
            if result := found():
                return result
            time.sleep(0.02)
        raise RuntimeError(f"no {what} within {DEADLINE_S:.0f}s")

    def _listening(self) -> str | None:
        self.log.seek(0)
        match = re.search(r"on (http://\S+/api)", self.log.read())
        return match and match.group(1)

    def _healthy(self) -> bool:
        try:
            return httpx.get(f"{self.base}/health", timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=DEADLINE_S)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=DEADLINE_S)
        self.log.close()


class _Events:
    """The event stream, read in a thread: when each `sync` event arrived, and what it named."""

    def __init__(self, server: _Server) -> None:
        self.synced: queue.Queue[tuple[float, set[str]]] = queue.Queue()
        self.open = threading.Event()
        self._client = httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {TOKEN}"},
                                    timeout=httpx.Timeout(DEADLINE_S, read=None))
        threading.Thread(target=self._read, daemon=True).start()
        if not self.open.wait(DEADLINE_S):
            raise RuntimeError("the event stream did not open")

    def _read(self) -> None:
        try:
            with self._client.stream("GET", "/events") as response:
                kind = None
                for line in response.iter_lines():
                    if line.startswith(": connected"):
                        self.open.set()
                    elif line.startswith("event: "):
                        kind = line[7:]
                    elif line.startswith("data: ") and kind == "sync":
                        data = json.loads(line[6:])
                        self.synced.put((time.perf_counter(), {*data["modified"], *data["added"]}))
        except (httpx.HTTPError, RuntimeError):
            pass  # closed at the end

    def arrival(self, path: str) -> float:
        end = time.monotonic() + DEADLINE_S
        while True:
            arrived, paths = self.synced.get(timeout=max(end - time.monotonic(), 0.001))
            if path in paths:
                return arrived

    def close(self) -> None:
        self._client.close()


def _timed(samples: list[float], call) -> httpx.Response:
    started = time.perf_counter()
    response = call()
    samples.append(time.perf_counter() - started)
    response.raise_for_status()
    return response


def _ids(root: Path, folder: str) -> list[str]:
    return [Path(rel).stem for rel in block_files(root) if f"/{folder}/" in f"/{rel}"]


def _throughput(server: _Server, ids: list[str], seconds: float) -> float:
    """Requests answered per second while READERS clients read at once; each client is made
    and connected before the clock starts."""
    done, stop, ready = [0] * READERS, threading.Event(), threading.Barrier(READERS + 1)

    def read(n: int) -> None:
        rng = random.Random(n)
        with server.client() as client:
            client.get(f"/blocks/{rng.choice(ids)}").raise_for_status()
            ready.wait()
            while not stop.is_set():
                client.get(f"/blocks/{rng.choice(ids)}").raise_for_status()
                done[n] += 1

    threads = [threading.Thread(target=read, args=(n,)) for n in range(READERS)]
    for thread in threads:
        thread.start()
    ready.wait(DEADLINE_S)
    started = time.perf_counter()
    time.sleep(seconds)  # the measuring window itself
    stop.set()
    for thread in threads:
        thread.join()
    return sum(done) / (time.perf_counter() - started)


def measure(root: Path, requests: int = 200, writes: int = 50, seed: int = 17) -> list[dict]:
    rng = random.Random(seed)
    scenes, shots = _ids(root, "scenes"), _ids(root, "shots")
    readable = scenes + shots
    server = _Server(root)
    originals: dict[str, str] = {}
    try:
        with server.client() as client:
            for _ in range(min(WARM_UP, requests)):
                client.get(f"/blocks/{rng.choice(readable)}")
                client.get("/blocks", params={"type": "scene", "limit": 50})
            cards, pages = [], []
            for _ in range(requests):
                _timed(cards, lambda: client.get(f"/blocks/{rng.choice(readable)}"))
                _timed(pages, lambda: client.get("/blocks", params={"type": "scene", "limit": 50}))
            events = _Events(server)
            put_to_event = []
            for n, block in enumerate(rng.sample(scenes, min(writes, len(scenes)))):
                read = client.get(f"/blocks/{block}")
                card = read.json()
                originals[block] = card["text"]
                started = time.perf_counter()
                client.put(f"/blocks/{block}", content=card["text"] + f"\nWritten over HTTP, {n}.\n",
                           headers={"If-Match": read.headers["etag"]}).raise_for_status()
                put_to_event.append(events.arrival(card["path"]) - started)
            events.close()
            rate = _throughput(server, readable, max(0.5, min(THROUGHPUT_S, requests / 100)))
            for block, text in originals.items():
                client.put(f"/blocks/{block}", content=text, headers={"If-Match": "*"}).raise_for_status()
    finally:
        server.stop()
    return [
        latencies("HTTP GET a block", cards, target_p95=10.0, note="a scene's or shot's card with its file"),
        latencies("HTTP filtered list page", pages, target_p95=10.0, note="?type=scene&limit=50"),
        latencies("HTTP PUT -> its event", put_to_event, target_p95=150.0, note="until the sync event naming it"),
        {"figure": f"HTTP throughput, {READERS} concurrent readers", "unit": "req/s", "value": rate, "floor": None,
         "floor_value": None, "target": None, "note": f"GET a block, {READERS} clients in the benchmark's process"},
    ]
