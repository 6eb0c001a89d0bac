"""What both fakes share: the keys they accept, the media they serve, and how a reply is built."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

import httpx
from cinefile.daemon.generate.providers.mock import tone_wav
from PIL import Image

OPENROUTER_KEY = "sk-or-v1-" + "5ec7e7" * 10
REPLICATE_KEY = "r8_" + "c0ffee5ec7e7" * 3
OR_HOST, REP_HOST, CDN_HOST = "openrouter.ai", "api.replicate.com", "replicate.delivery"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 9), (200, 120, 40)).save(out, format="PNG")
    return out.getvalue()


PNG = _png()
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
WAV = tone_wav(3, b"\x01" * 32)


def _json_body(request: httpx.Request) -> dict | None:
    try:
        body = json.loads(request.content)
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

