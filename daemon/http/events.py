"""The event stream behind `GET /api/events`: every event the server publishes (sync batches,
state changes, problems, job progress) gets an increasing id and stays in a ring bounded in
events and in bytes, so a client that lost its connection resumes with `Last-Event-ID` and
misses nothing the ring still holds; one that fell further behind is told to read the project
again (`reset`).

Publishing is thread-safe (the watcher, the request threads and the generation jobs all
publish); each open stream waits on an asyncio event, woken from those threads.
"""

from __future__ import annotations

import asyncio
import collections
import json
import threading
import time
from dataclasses import dataclass
from typing import AsyncIterator

RING_SIZE = 2048
RING_BYTES = 32 * 2**20  # and at most this much: a style guide's edit relinks every shot, in one event
HEARTBEAT_S = 15.0
RETRY_MS = 2000  # how long a client's EventSource waits before it reconnects


@dataclass(frozen=True)
class Event:
    id: int
    kind: str
    data: str  # JSON

    def frame(self) -> str:
        return f"id: {self.id}\nevent: {self.kind}\ndata: {self.data}\n\n"


class EventHub:
    def __init__(self, ring_size: int = RING_SIZE, heartbeat: float = HEARTBEAT_S, ring_bytes: int = RING_BYTES) -> None:
        # Ids go on from the clock, not from 1: an id from before a restart is then older than
        # anything this run published, so that client is told to reset rather than misled.
        self._first = int(time.time() * 1000)
        self._last = self._first - 1
        self._ring: collections.deque[Event] = collections.deque()
        self._ring_size, self._ring_bytes, self._bytes = ring_size, ring_bytes, 0
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self.heartbeat = heartbeat
        self.closed = False

    @property
    def last_id(self) -> int:
        return self._last

    def publish(self, kind: str, data: dict) -> int:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
        with self._lock:
            self._last += 1
            self._ring.append(Event(self._last, kind, text))
            self._bytes += len(text)
            while len(self._ring) > self._ring_size or (self._bytes > self._ring_bytes and len(self._ring) > 1):
                self._bytes -= len(self._ring.popleft().data)
            waiters = list(self._waiters)
        self._wake(waiters)
        return self._last

    def close(self) -> None:
        """End every stream (at shutdown): each sends what it has and finishes."""
        with self._lock:
            self.closed = True
            waiters = list(self._waiters)
        self._wake(waiters)

    @staticmethod
    def _wake(waiters) -> None:
        for loop, event in waiters:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:
                pass  # that loop is closed: its stream is gone

    def since(self, last_id: int) -> tuple[list[Event], bool]:
        """The events after `last_id`, and whether some were lost (gone from the ring, or the
        id is not one this server gave)."""
        with self._lock:
            if last_id > self._last:
                return [], True
            events = [event for event in self._ring if event.id > last_id]
            oldest = self._ring[0].id if self._ring else self._last + 1
        return events, last_id < min(oldest, self._first) - 1

    async def stream(self, last_id: int | None) -> AsyncIterator[str]:
        """Server-Sent Events from after `last_id` (None: from now), with a heartbeat comment
        when nothing happens, until the client goes or the hub closes."""
        waiter = asyncio.Event()
        entry = (asyncio.get_running_loop(), waiter)
        with self._lock:
            self._waiters.add(entry)
        try:
            position = self._last if last_id is None else last_id
            yield f"retry: {RETRY_MS}\n: connected\n\n"
            while True:
                waiter.clear()
                events, lost = self.since(position)
                if lost:  # what the ring holds follows the reset
                    position = events[0].id - 1 if events else self._last
                    yield f"id: {position}\nevent: reset\ndata: {json.dumps({'reason': _RESET_REASON})}\n\n"
                for event in events:
                    position = event.id
                    yield event.frame()
                if self.closed:
                    return
                try:
                    await asyncio.wait_for(waiter.wait(), self.heartbeat)
                except asyncio.TimeoutError:
                    yield ": heartbeat\n\n"
        finally:
            with self._lock:
                self._waiters.discard(entry)


_RESET_REASON = "events were missed (the connection was away too long, or the server restarted): read the project again"
