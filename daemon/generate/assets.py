"""Assets: generated media stored once, under the SHA-256 of their bytes.

`assets/<sha256>.<ext>` holds the file; `assets/meta/<sha256>.json` what made it (provider,
model, prompt, params, seed, cost), so that the index can be rebuilt from the folder. A
download streams into a hidden temp file under a size limit, is hashed, then renamed: an
asset file is complete or absent, never partial.

Only what belongs is stored: media of the kind the job makes (no video for a still), from a
public address (never the user's own machine or network), into an `assets/` that is the
project's own folder (not a symlink out of it). Only regular files inside it are read back.
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
from cinefile.daemon.inside import folder_inside, read_regular, regular_file

from .addresses import check_public
from .errors import Cancelled, DownloadFailed, GenerationError
from .media import EXTENSIONS, MIME_OF_EXTENSION, SNIFF_BYTES, fits, media_kind, sniff

DEFAULT_MAX_DOWNLOAD_BYTES = 512 * 1024 * 1024
CHUNK = 64 * 1024
_A = {"image": "an image", "video": "a video", "audio": "an audio"}


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
        self.root = root
        self.folder = root / "assets"
        self.max_bytes = max_bytes

    def writable(self, folder: Path | None = None) -> Path:
        """`folder` (assets/ by default), once it is known to be inside the project; made
        when missing. Refused (OutsideProject) when a symlink leads it elsewhere."""
        folder = folder_inside(self.root, self.folder if folder is None else folder)
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def path_of(self, asset: StoredAsset) -> Path:
        return self.folder / asset.name

    def find(self, sha256: str) -> StoredAsset | None:
        """The stored asset with this hash, whatever its extension; None when missing, and
        when its file is not a regular file inside the project (a symlink out, a FIFO): such
        a file is never uploaded, embedded or served."""
        for ext, mime in MIME_OF_EXTENSION.items():
            info = regular_file(self.root, self.folder / f"{sha256}.{ext}")
            if info is not None:
                return StoredAsset(sha256, ext, mime, info.st_size)
        return None

    def put(self, data: bytes, origin: str = "generated file", *, kind: str | None = None) -> StoredAsset:
        """Store bytes by hash. `kind` (image, video, audio): the media they must be."""
        mime = media_of(data[:SNIFF_BYTES], kind, origin)
        asset = StoredAsset(hashlib.sha256(data).hexdigest(), EXTENSIONS[mime], mime, len(data))
        self.writable()
        if regular_file(self.root, self.path_of(asset)) is None:  # identical bytes are stored once
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
        if not allow_private:
            check_public(urllib.parse.urlsplit(url).hostname or "", provider)
        origin = f"{provider}'s output"
        fd, temp = tempfile.mkstemp(prefix=".download-", suffix=".tmp", dir=self.writable())
        try:
            digest, size, head = hashlib.sha256(), 0, b""
            with os.fdopen(fd, "wb") as handle:
                try:
                    # Redirects are never followed (the client is made so): each hop would need the checks above.
                    with http.stream("GET", url) as response:
                        if response.is_redirect:
                            raise GenerationError(f"{provider}: the output URL redirects to "
                                                  f"{_host_of(response.headers.get('location', ''))}: not followed, "
                                                  "nothing was downloaded; try again")
                        if response.status_code != 200:
                            raise DownloadFailed(f"{provider}: downloading the output failed (HTTP {response.status_code}): "
                                                 "try again", response.status_code)
                        for chunk in response.iter_bytes(CHUNK):
                            if cancel.is_set():
                                raise Cancelled()
                            size += len(chunk)
                            if size > self.max_bytes:
                                raise GenerationError(f"{provider}'s output is over the {self.max_bytes // 1_048_576} MB "
                                                      "download limit: refused, nothing was stored")
                            if len(head) < SNIFF_BYTES:
                                head += chunk[: SNIFF_BYTES - len(head)]
                                if len(head) == SNIFF_BYTES:  # wrong media stops here, not after 500 MB
                                    media_of(head, kind, origin)
                            digest.update(chunk)
                            handle.write(chunk)
                except httpx.TimeoutException:
                    raise GenerationError(f"{provider}: network timeout while downloading the output: try again") from None
                except httpx.TransportError as error:
                    raise GenerationError(f"{provider}: the download broke off ({type(error).__name__}): try again") from None
                handle.flush()
                os.fsync(handle.fileno())
            mime = media_of(head, kind, origin)
            asset = StoredAsset(digest.hexdigest(), EXTENSIONS[mime], mime, size)
            os.replace(temp, self.path_of(asset))
            return asset
        except BaseException:
            with contextlib.suppress(FileNotFoundError):  # never leave a partial download behind
                os.unlink(temp)
            raise

    def read(self, asset: StoredAsset) -> bytes:
        try:
            return read_regular(self.path_of(asset), self.root)
        except OSError as error:
            raise GenerationError(f"assets/{asset.name}: cannot read it ({error.strerror or error}): "
                                  "restore the file itself in assets/, or generate it again") from None

    def write_meta(self, asset: StoredAsset, meta: dict) -> None:
        path = self.writable(self.folder / META_FOLDER) / f"{asset.sha256}.json"
        if not path.exists():  # the first generation that made these bytes is what made them
            write_atomic(path, json.dumps(meta, indent=1, sort_keys=True, ensure_ascii=False) + "\n")


def media_of(head: bytes, kind: str | None, origin: str) -> str:
    """The mime type of a file from its first bytes, refused (GenerationError) when it is no
    media cinefile knows, or not the media a job of `kind` makes."""
    mime = sniff(head)
    if mime is None:
        raise GenerationError(f"{origin} is not an image, video or audio file cinefile knows: nothing was stored")
    if not fits(mime, kind):
        wanted = media_kind(kind or "")
        raise GenerationError(f"{origin} is {mime}, not {_A[wanted]} file: refused, nothing was stored; "
                              f"pick {_A[wanted]} model (`cinefile models --kind {wanted}`)")
    return mime


def _host_of(url: str) -> str:
    return urllib.parse.urlsplit(url).hostname or "an unnamed place"


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
