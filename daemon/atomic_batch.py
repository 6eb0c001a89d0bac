"""Many files replaced at once, each atomically: every new version is staged beside its file,
the staged files are made durable with one flush of their file system, and only then is each
renamed over its file.

`write_atomic` syncs each file on its own; for 5,000 files that was most of marking them
fresh (30 s of fsync on a busy disk, measured), waiting on the disk once per file. Staged
first, a failure while staging (a full disk, a folder without write permission) replaces
nothing: the staged files are removed and every file stays as it was.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterable

from .atomic import stage


def write_atomic_all(items: Iterable[tuple[Path, bytes | str]]) -> None:
    """Write each (path, data): all of them, or, when staging fails, none."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in items:
            staged.append((stage(path, data, durable=False), path))
        flush([temp for temp, _ in staged])
    except BaseException:
        _remove(temp for temp, _ in staged)
        raise
    for n, (temp, path) in enumerate(staged):
        try:
            os.replace(temp, path)
        except BaseException:
            _remove(temp for temp, _ in staged[n:])
            raise


def flush(paths: list[str]) -> None:
    """Make these files' data durable: one `syncfs` for each file system they are on (Linux),
    else an fsync of each."""
    if not paths:
        return
    syncfs = _syncfs()
    devices: dict[int, str] = {}
    for path in paths:
        devices.setdefault(os.stat(path).st_dev, path)
    for path in devices.values() if syncfs else paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            if syncfs is None:
                os.fsync(fd)
            elif syncfs(fd) != 0:
                error = _errno()
                raise OSError(error, os.strerror(error), path)
        finally:
            os.close(fd)


def _syncfs():
    """libc's syncfs, or None where there is none (not Linux)."""
    import ctypes  # loaded only by what writes many files

    try:
        return ctypes.CDLL(None, use_errno=True).syncfs
    except (AttributeError, OSError):
        return None


def _errno() -> int:
    import ctypes

    return ctypes.get_errno()


def _remove(temps: Iterable[str]) -> None:
    for temp in temps:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
