"""How long a stored video or audio file plays, read from its header: an official Replicate
model bills video (and some audio) per second of output. MP4 and MOV keep it in the `mvhd`
box inside `moov` (which may come after the media data); WAV in its `fmt ` and `data` chunks.
Other formats answer None, and the caller falls back to the length it asked for."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO


def seconds_of(path: Path, mime: str) -> float | None:
    """The playing time of the file in seconds, or None when its header does not say."""
    try:
        with path.open("rb") as handle:
            if mime in ("video/mp4", "video/quicktime"):
                return _mp4_seconds(handle, path.stat().st_size)
            if mime == "audio/wav":
                return _wav_seconds(handle)
    except (OSError, struct.error):
        return None
    return None


def _boxes(handle: BinaryIO, start: int, end: int):
    """(type, payload start, payload end) of each box between two offsets."""
    offset = start
    while offset + 8 <= end:
        handle.seek(offset)
        size, kind = struct.unpack(">I4s", handle.read(8))
        header = 8
        if size == 1:  # a 64-bit size follows the type
            size, header = struct.unpack(">Q", handle.read(8))[0], 16
        elif size == 0:  # the box runs to the end of the file
            size = end - offset
        if size < header:
            return
        yield kind, offset + header, min(offset + size, end)
        offset += size


def _mp4_seconds(handle: BinaryIO, size: int) -> float | None:
    for kind, start, end in _boxes(handle, 0, size):
        if kind == b"moov":
            for inner, inner_start, _ in _boxes(handle, start, end):
                if inner == b"mvhd":
                    handle.seek(inner_start)
                    version = handle.read(4)[0]
                    if version == 1:  # 64-bit creation and modification times and duration
                        handle.read(16)
                        timescale, duration = struct.unpack(">IQ", handle.read(12))
                    else:
                        handle.read(8)
                        timescale, duration = struct.unpack(">II", handle.read(8))
                    return duration / timescale if timescale else None
    return None


def _wav_seconds(handle: BinaryIO) -> float | None:
    riff = handle.read(12)
    if riff[:4] != b"RIFF" or riff[8:12] != b"WAVE":
        return None
    byte_rate = None
    while True:
        header = handle.read(8)
        if len(header) < 8:
            return None
        kind, length = struct.unpack("<4sI", header)
        if kind == b"fmt ":
            fmt = handle.read(length)
            byte_rate = struct.unpack("<I", fmt[8:12])[0]
            handle.read(length % 2)
        elif kind == b"data":
            return length / byte_rate if byte_rate else None
        else:
            handle.seek(length + length % 2, 1)  # chunks are padded to an even length
