"""Serving a file of the project's own folders (assets/, exports/) and nothing else: only a
regular file directly inside the folder, never a symlink, never a path that leaves it; with
byte ranges (206, 416), so a video seeks."""

from __future__ import annotations

import mimetypes
import os
import stat
from pathlib import Path

from starlette.responses import FileResponse, MalformedRangeHeader, RangeNotSatisfiable

from ..inside import within
from .problems import NotFound, RangeRefused

IMMUTABLE = "public, max-age=31536000, immutable"


def file_inside(folder: Path, name: str, what: str) -> tuple[Path, os.stat_result]:
    """`folder/name` when it is a regular file in `folder` itself, with its stat."""
    path = folder / name
    try:
        info = os.lstat(path)  # lstat: a symlink is refused, wherever it points
    except (FileNotFoundError, NotADirectoryError):
        raise NotFound(f"no {what} {name}") from None
    # The folder itself may be a symlink out of the project (its parent): nothing there is served.
    if not stat.S_ISREG(info.st_mode) or path.parent.resolve() != folder.resolve() or not within(folder.parent, path):
        raise NotFound(f"no {what} {name}: only regular files inside {folder.name}/ are served")
    return path, info


def file_response(path: Path, info: os.stat_result, range_header: str | None, *, etag: str | None = None,
                  cache: str = "no-cache") -> FileResponse:
    """The file, whole or the byte range asked for. A range outside the file is refused here
    as a problem document; Starlette serves the ranges themselves."""
    if range_header:
        _check_range(range_header, info.st_size)
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    headers = {"Cache-Control": cache} | ({"ETag": etag} if etag else {})
    return FileResponse(path, media_type=media_type, headers=headers, stat_result=info)


def _check_range(header: str, size: int) -> None:
    parse = getattr(FileResponse, "_parse_range_header", None)
    if parse is None:
        return  # a Starlette without it answers a bad range itself, in plain text
    try:
        parse(header, size)
    except RangeNotSatisfiable:
        raise RangeRefused(f"the range {header[:60]} is outside the file ({size} bytes): ask for bytes 0 to {size - 1}",
                           size) from None
    except MalformedRangeHeader:
        raise RangeRefused(f"the range {header[:60]} is not a byte range: send `Range: bytes=START-END`", size) from None
