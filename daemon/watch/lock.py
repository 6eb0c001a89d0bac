"""One watch daemon per project: a lock file in the root that holds the running daemon's pid.

The lock itself is an flock on that file, which the kernel drops when the process dies, so
a lock left behind by a crashed or killed daemon is free to take; the pid in the file is
there to name the daemon that holds it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from ..errors import UserError
from ..project import DB_NAME, Project

# Beside the index, so that .gitignore's `project.db-*` keeps it out of git and the
# watcher and sync skip it like the index's own files.
LOCK_NAME = f"{DB_NAME}-watch.lock"


class WatchLock:
    def __init__(self, project: Project) -> None:
        self.path: Path = project.root / LOCK_NAME
        self._fd: int | None = None
        # The pid found in a lock file that nobody held: a daemon that died without cleaning up.
        self.taken_over_from: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise UserError naming the pid of the daemon that has it."""
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError as error:
                raise UserError(f"{self.path}: cannot create the watch lock ({error.strerror}): check the folder's permissions") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pid = _read_pid(fd)
                os.close(fd)
                holder = f"pid {pid}" if pid else "another process"
                raise UserError(f"{self.path.parent}: `cinefile watch` is already running for this project ({holder}); "
                                "stop that one first, or leave it to keep the index up to date") from None
            # The holder may have removed the file between our open and our flock: then the
            # lock we hold is on a file nobody else will open, so start over.
            if _same_file(fd, self.path):
                break
            os.close(fd)
        previous = _read_pid(fd)
        if previous and previous != os.getpid():
            self.taken_over_from = previous
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        if _same_file(self._fd, self.path):
            with contextlib.suppress(OSError):  # the root itself is gone: nothing left to clean
                self.path.unlink()
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> "WatchLock":
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _same_file(fd: int, path: Path) -> bool:
    try:
        on_disk = os.stat(path)
    except OSError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (on_disk.st_dev, on_disk.st_ino)
