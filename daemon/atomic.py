"""Atomic writes: a temp file beside the target, then a rename. Readers and watchers see
the old file or the new one, never half of either."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

# mkstemp makes 0600 files; a new file gets the mode any other program would give it.
# Read once, at import, because reading the umask means setting it for a moment.
_UMASK = os.umask(0o022)
os.umask(_UMASK)
NEW_FILE_MODE = 0o666 & ~_UMASK


def write_atomic(path: Path, data: bytes | str) -> None:
    temp = stage(path, data)
    try:
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def stage(path: Path, data: bytes | str, *, durable: bool = True) -> str:
    """The new version of `path` in a temp file beside it, with the mode the file has; on disk
    for sure when `durable` (else the caller flushes many at once: see atomic_batch.py)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        mode = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:  # a new file, maybe in a new folder
        mode = NEW_FILE_MODE
        path.parent.mkdir(parents=True, exist_ok=True)
    # A hidden name, so the watcher and sync never take the temp file for a block.
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(fd, mode)
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(fd)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    return temp
