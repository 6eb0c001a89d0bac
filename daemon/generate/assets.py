"""Assets: generated media stored once, under the SHA-256 of their bytes.

`assets/<sha256>.<ext>` holds the file; `assets/meta/<sha256>.json` what made it (provider,
model, prompt, params, seed, cost), so that the index can be rebuilt from the folder. A
download streams into a hidden temp file under a size limit, is hashed, then renamed: an
asset file is complete or absent, never partial.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import tempfile
import threading
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import httpx
from cinefile.daemon.atomic import write_atomic
from cinefile.daemon.index.asset_index import META_FOLDER

from .errors import Cancelled, GenerationError
from .media import EXTENSIONS, MIME_OF_EXTENSION, SNIFF_BYTES, sniff

DEFAULT_MAX_DOWNLOAD_BYTES = 512 * 1024 * 1024
CHUNK = 64 * 1024


@dataclass(frozen=True)
class StoredAsset:
    sha256: str
    ext: str
    mime: str
    size: int

    @property
    def name(self) -> str:
        return f"{self.sha256}.{self.ext}"

    def to_json(self) -> dict:
        return {"sha256": self.sha256, "ext": self.ext, "mime": self.mime, "size": self.size}

    @staticmethod
    def from_json(data: dict) -> "StoredAsset":
        return StoredAsset(data["sha256"], data["ext"], data["mime"], int(data["size"]))


class AssetStore:
    def __init__(self, root: Path, max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES) -> None:
        self.folder = root / "assets"
        self.max_bytes = max_bytes

    def path_of(self, asset: StoredAsset) -> Path:
        return self.folder / asset.name

    def find(self, sha256: str) -> StoredAsset | None:
        """The stored asset with this hash, whatever its extension; None when missing."""
        for ext, mime in MIME_OF_EXTENSION.items():
            path = self.folder / f"{sha256}.{ext}"
            if path.is_file():
                return StoredAsset(sha256, ext, mime, path.stat().st_size)
        return None

    def put(self, data: bytes, origin: str = "generated file", *, kind: str | None = None) -> StoredAsset:
        """Store bytes by hash. `kind` (image, video, audio): the media they must be."""
        mime = sniff(data[:SNIFF_BYTES])
        if mime is None:
            raise GenerationError(f"{origin} is not an image, video or audio file cinefile knows: nothing was stored")
        asset = StoredAsset(hashlib.sha256(data).hexdigest(), EXTENSIONS[mime], mime, len(data))
        if not self.path_of(asset).is_file():  # identical bytes are stored once
            write_atomic(self.path_of(asset), data)
        return asset

    def fetch(self, url: str, http: httpx.Client, cancel: threading.Event, provider: str, *, kind: str | None = None,
              allow_private: bool = False) -> StoredAsset:
        """Store what a provider's output URL points to: a `data:` URI or an https download.
        `kind` (image, video, audio): the media it must be. `allow_private`: the host may be a
        loopback or private address (only when the provider's own API is local, as in tests)."""
        if url.startswith("data:"):
            return self.put(decode_data_uri(url, self.max_bytes, provider), f"{provider}'s output", kind=kind)
        scheme = urllib.parse.urlsplit(url).scheme
        if scheme != "https":
            raise GenerationError(f"{provider} returned an output URL that is not https ({scheme or 'no scheme'}:): "
                                  "refused, nothing was downloaded")
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".download-", suffix=".tmp", dir=self.folder)
        try:
            digest, size, head = hashlib.sha256(), 0, b""
            with os.fdopen(fd, "wb") as handle:
                try:
                    with http.stream("GET", url) as response:
                        if response.status_code != 200:
                            raise GenerationError(f"{provider}: downloading the output failed (HTTP {response.status_code}): "
                                                  "try again")
                        for chunk in response.iter_bytes(CHUNK):
                            if cancel.is_set():
                                raise Cancelled()
                            size += len(chunk)
                            if size > self.max_bytes:
                                raise GenerationError(f"{provider}'s output is over the {self.max_bytes // 1_048_576} MB "
                                                      "download limit: refused, nothing was stored")
                            if len(head) < SNIFF_BYTES:
                                head += chunk[: SNIFF_BYTES - len(head)]
                            digest.update(chunk)
                            handle.write(chunk)
                except httpx.TimeoutException:
                    raise GenerationError(f"{provider}: network timeout while downloading the output: try again") from None
                except httpx.TransportError as error:
                    raise GenerationError(f"{provider}: the download broke off ({type(error).__name__}): try again") from None
                handle.flush()
                os.fsync(handle.fileno())
            mime = sniff(head)
            if mime is None:
                raise GenerationError(f"{provider}'s output is not an image, video or audio file cinefile knows: "
                                      "nothing was stored")
            asset = StoredAsset(digest.hexdigest(), EXTENSIONS[mime], mime, size)
            os.replace(temp, self.path_of(asset))
            return asset
        except BaseException:
            with contextlib.suppress(FileNotFoundError):  # never leave a partial download behind
                os.unlink(temp)
            raise

    def read(self, asset: StoredAsset) -> bytes:
        return self.path_of(asset).read_bytes()

    def write_meta(self, asset: StoredAsset, meta: dict) -> None:
        path = self.folder / META_FOLDER / f"{asset.sha256}.json"
        if not path.exists():  # the first generation that made these bytes is what made them
            write_atomic(path, json.dumps(meta, indent=1, sort_keys=True, ensure_ascii=False) + "\n")


def decode_data_uri(uri: str, max_bytes: int, provider: str) -> bytes:
    header, sep, payload = uri.partition(",")
    if not sep:
        raise GenerationError(f"{provider} returned a malformed data: URI: nothing was stored")
    if len(payload) * 3 // 4 > max_bytes:
        raise GenerationError(f"{provider}'s output is over the {max_bytes // 1_048_576} MB limit: refused")
    try:
        if header.endswith(";base64"):
            return base64.b64decode(payload, validate=True)
        return urllib.parse.unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        raise GenerationError(f"{provider} returned a malformed data: URI: nothing was stored") from None


def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
