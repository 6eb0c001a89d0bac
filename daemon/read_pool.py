"""Reading many block files, in worker processes when there are enough to be worth it.

Parsing is most of a cold sync and runs in Python, so one process uses one core. For a big
read the files are dealt out to one forked worker per core; each sends back its `Read`s in
batches over a pipe. Workers are forked only where that is safe and cheap: on Linux, from a
process with no other threads (a fork copies locks that other threads may hold). Anywhere
else, and for small reads, the files are read here, one after another. A worker that fails
is not fatal: whatever it did not send is read here.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from multiprocessing.connection import wait
from pathlib import Path
from typing import Callable, Iterator

from .read import Read, read_file
from .walk import FileStat

Progress = Callable[[int, int], None]
# Below this many files, starting workers costs more than it saves (measured: ~20 ms to fork).
MIN_FILES_FOR_WORKERS = 1500
_BATCH = 250
_DONE = "done"


def read_many(root: Path, files: list[tuple[str, FileStat]], progress: Progress | None = None) -> Iterator[tuple[str, Read | None]]:
    """(rel, Read or None when the file vanished) for every file, in no set order."""
    workers = worker_count(len(files))
    if workers < 2:
        yield from _read_here(root, files, progress, 0, len(files))
        return
    yield from _read_in_workers(root, files, progress, workers)


def worker_count(files: int) -> int:
    if files < MIN_FILES_FOR_WORKERS or not sys.platform.startswith("linux") or threading.active_count() > 1:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return min(cores, 8, files // (MIN_FILES_FOR_WORKERS // 2))


def _read_here(root: Path, files, progress: Progress | None, done: int, total: int) -> Iterator[tuple[str, Read | None]]:
    for rel, stat in files:
        yield rel, read_file(root, rel, stat)
        done += 1
        if progress and (done % _BATCH == 0 or done == total):
            progress(done, total)


def _read_in_workers(root: Path, files, progress: Progress | None, workers: int) -> Iterator[tuple[str, Read | None]]:
    context = multiprocessing.get_context("fork")
    shares = [files[i::workers] for i in range(workers)]
    connections, processes = [], []
    for share in shares:
        receiver, sender = context.Pipe(duplex=False)
        connections.append(receiver)
        # The worker closes the read ends it inherits, or a dead parent would leave it
        # blocked forever on a full pipe that it itself keeps open.
        process = context.Process(target=_work, args=(root, share, sender, list(connections)), daemon=True)
        process.start()
        sender.close()
        processes.append(process)
    received: set[str] = set()
    total = len(files)
    try:
        pending = list(connections)
        while pending:
            for connection in wait(pending):
                try:
                    message = connection.recv()
                except (EOFError, OSError):
                    message = _DONE  # the worker died; what it did not send is read below
                if message == _DONE:
                    pending.remove(connection)
                    continue
                for rel, read in message:
                    received.add(rel)
                    yield rel, read
                if progress:
                    progress(len(received), total)
    finally:
        for connection in connections:
            connection.close()
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
    missing = [(rel, stat) for rel, stat in files if rel not in received]
    yield from _read_here(root, missing, progress, len(received), total)


def _work(root: Path, share, sender, inherited) -> None:
    """A worker: read its share, send it in batches, and leave quietly whatever happens
    (the parent reads whatever did not arrive)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        for connection in inherited:
            connection.close()
        batch = []
        for rel, stat in share:
            batch.append((rel, read_file(root, rel, stat)))
            if len(batch) == _BATCH:
                sender.send(batch)
                batch = []
        if batch:
            sender.send(batch)
        sender.send(_DONE)
    except BaseException:  # noqa: BLE001 - a worker never prints a traceback; the parent carries on
        pass
    finally:
        sender.close()
        os._exit(0)
