"""A pool of daemon threads for the jobs of a batch.

Not concurrent.futures' pool: its threads are joined when the interpreter exits, so after a
second Ctrl-C the command would still wait for a request that never answers (a chat blocks
in a socket read for up to 120 s, and closing the client does not wake it). Daemon threads
are left behind at exit instead; a first Ctrl-C still waits for them to cancel cleanly.
"""

from __future__ import annotations

import concurrent.futures
import queue
import threading
from typing import Any, Callable


class DaemonPool:
    def __init__(self, size: int, name: str) -> None:
        self._tasks: queue.SimpleQueue = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._work, name=f"{name}-{i}", daemon=True) for i in range(max(1, size))]
        for thread in self._threads:
            thread.start()

    def submit(self, function: Callable[..., Any], *args: Any) -> concurrent.futures.Future:
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._tasks.put((future, function, args))
        return future

    def shutdown(self, wait: bool) -> None:
        """Stop the threads once the tasks queued are done; `wait` for them, or leave them be."""
        if not wait:
            while True:  # tasks not started yet are dropped
                try:
                    future, _, _ = self._tasks.get_nowait()
                except queue.Empty:
                    break
                future.cancel()
        for _ in self._threads:
            self._tasks.put(None)
        if wait:
            for thread in self._threads:
                thread.join()

    def _work(self) -> None:
        while (task := self._tasks.get()) is not None:
            future, function, args = task
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(function(*args))
            except BaseException as error:  # handed to whoever waits on the future
                future.set_exception(error)
