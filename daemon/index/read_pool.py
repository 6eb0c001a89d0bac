"""Reading many block files, in forked workers when there are enough to be worth it.

Parsing is most of a cold sync and runs in Python, so one process uses one core. For a big
read the files are dealt out to one forked worker per core (see `forked` for when that is
safe); each sends back its `Read`s in batches. For small reads, and where forking is not
safe, the files are read here, one after another. A worker that fails is not fatal:
whatever it did not send is read here.
"""

from __future__ import annotations

from multiprocessing.connection import wait
from pathlib import Path
from typing import Callable, Iterator

from .forked import Child, cores_to_fork
from .read import Read, read_file
from .walk import FileStat

Progress = Callable[[int, int], None]
# Workers break even near 600 files and save 12% at 1,000 (measured on 2 cores); below, the
# forks cost more than they save.
MIN_FILES_FOR_WORKERS = 800
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
    if files < MIN_FILES_FOR_WORKERS:
        return 1
    return min(cores_to_fork(), 8, files // (MIN_FILES_FOR_WORKERS // 2))


def _read_here(root: Path, files, progress: Progress | None, done: int, total: int) -> Iterator[tuple[str, Read | None]]:
    for rel, stat in files:
        yield rel, read_file(root, rel, stat)
        done += 1
        if progress and (done % _BATCH == 0 or done == total):
            progress(done, total)


def _read_in_workers(root: Path, files, progress: Progress | None, workers: int) -> Iterator[tuple[str, Read | None]]:
    children: list[Child] = []
    for i in range(workers):
        try:
            children.append(Child(_work, root, files[i::workers], siblings=children))
        except OSError:  # no memory or no process left to fork: the files no worker took are read here
            break
    received: set[str] = set()
    total = len(files)
    try:
        pending = {child.connection: child for child in children}
        while pending:
            for connection in wait(list(pending)):
                message = pending[connection].receive()
                if message == _DONE or message is Child.LOST:
                    del pending[connection]  # done, or died: what it did not send is read below
                    continue
                for rel, read in message:
                    received.add(rel)
                    yield rel, read
                if progress:
                    progress(len(received), total)
    finally:
        for child in children:
            child.close()
    missing = [(rel, stat) for rel, stat in files if rel not in received]
    yield from _read_here(root, missing, progress, len(received), total)


def _work(send: Callable, root: Path, share: list[tuple[str, FileStat]]) -> None:
    batch = []
    for rel, stat in share:
        batch.append((rel, read_file(root, rel, stat)))
        if len(batch) == _BATCH:
            send(batch)
            batch = []
    if batch:
        send(batch)
    send(_DONE)
