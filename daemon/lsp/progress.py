"""Work-done progress for long work (sync, export, generation), and its cancellation: the
client's cancel button or a `$/cancelRequest` sets `cancel`, which the work polls."""

from __future__ import annotations

import asyncio
import threading
import uuid

from lsprotocol import types

from .server import CinefileServer


class Work:
    def __init__(self, ls: CinefileServer, title: str) -> None:
        self.ls = ls
        self.title = title
        self.token: str | None = None
        self.cancel = threading.Event()
        self.loop = asyncio.get_running_loop()

    async def __aenter__(self) -> "Work":
        window = self.ls.client_capabilities.window
        if window is not None and window.work_done_progress:
            self.token = f"cinefile-{uuid.uuid4().hex}"
            await self.ls.work_done_progress.create_async(self.token)
            self.ls.work_done_progress.begin(self.token, types.WorkDoneProgressBegin(title=self.title, cancellable=True, percentage=0))
            self.ls.work_done_progress.tokens[self.token].add_done_callback(lambda _: self.cancel.set())
        return self

    async def __aexit__(self, kind, error, trace) -> None:
        if isinstance(error, asyncio.CancelledError):
            self.cancel.set()  # the request itself was cancelled
        if self.token is not None:
            message = "cancelled" if self.cancel.is_set() else ("failed" if error else "done")
            self.ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))
            self.ls.work_done_progress.tokens.pop(self.token, None)

    def report(self, message: str, percentage: int | None = None) -> None:
        """From any thread."""
        if self.token is not None:
            value = types.WorkDoneProgressReport(message=message, percentage=percentage, cancellable=True)
            self.loop.call_soon_threadsafe(self.ls.work_done_progress.report, self.token, value)

    async def run(self, function, *args):
        """Run blocking work in a thread; if the request is cancelled, tell the work and wait for it."""
        future = self.loop.run_in_executor(None, function, *args)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            self.cancel.set()
            await asyncio.wait([future])
            raise
