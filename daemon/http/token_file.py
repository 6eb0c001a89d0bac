"""The server's token: made at random unless given, and kept while the server runs in a file
beside project.db that only the user can read (for scripts), removed when it stops. The
project's .gitignore (`project.db*`) keeps it out of git."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from typing import Iterator

TOKEN_SUFFIX = "-token"
MIN_GIVEN_LENGTH = 16


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + TOKEN_SUFFIX)


@contextlib.contextmanager
def token_file(db_path: Path, token: str) -> Iterator[Path]:
    """Write the token (mode 0600, whatever the umask) for as long as the block runs; then
    remove it, unless another server has written its own there since."""
    path = token_path(db_path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # a file left by an earlier run keeps its mode otherwise
        os.write(fd, (token + "\n").encode())
    finally:
        os.close(fd)
    try:
        yield path
    finally:
        with contextlib.suppress(OSError):
            if path.read_text().strip() == token:
                path.unlink()
