"""Small real media files for tests, made with the standard library: PNG stills and WAV
sounds, stored in a project's assets/ under their sha256 and linked from a block."""

from __future__ import annotations

import hashlib
import io
import math
import struct
import wave
import zlib

from cinefile.daemon.project import Project
from cinefile.format.edit import set_field


def png_bytes(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b"")


def wav_bytes(seconds: float, frequency: float = 440.0, rate: int = 22050) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        frames = int(seconds * rate)
        out.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * frequency * n / rate)))
                                 for n in range(frames)))
    return buffer.getvalue()


def store_asset(project: Project, data: bytes, ext: str) -> str:
    sha = hashlib.sha256(data).hexdigest()
    project.assets.mkdir(exist_ok=True)
    (project.assets / f"{sha}.{ext}").write_bytes(data)
    return sha


def link_assets(project: Project, block_path: str, *assets: tuple[bytes, str, str, bool]) -> list[str]:
    """Store (data, ext, role, approved) assets and list them in the block's `assets` field."""
    entries = [{"sha256": store_asset(project, data, ext), "role": role, "approved": approved}
               for data, ext, role, approved in assets]
    path = project.root / block_path
    path.write_text(set_field(path.read_text(encoding="utf-8"), "assets", entries), encoding="utf-8")
    return [entry["sha256"] for entry in entries]
