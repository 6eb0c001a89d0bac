"""The remote store over fsspec: list what is there, upload through a temporary name, download
with the SHA-256 checked on the way.

Layout under the `[remote]` url, the same as assets/:
    <sha256>.<ext>           an asset
    meta/<sha256>.json       what made it (a generation record)
    .partial/<name>.<token>  an upload under way, moved to its name once whole

fsspec and the backend (s3fs, gcsfs, adlfs, sshfs) are imported only here, when a command
talks to the store.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets as tokens
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cinefile.format.config import RemoteConfig

from ..errors import UserError
from .local import ASSET_NAME, META_NAME
from .secrets import redact

PARTIAL = ".partial"
META = "meta"
CHUNK = 1024 * 1024
# Stores without real folders: nothing to make before writing, and a missing bucket is an error.
_OBJECT_STORES = ("s3", "gs", "gcs", "az", "abfs")
_BACKEND_PACKAGE = {"s3": "s3fs", "gs": "gcsfs", "gcs": "gcsfs", "az": "adlfs", "abfs": "adlfs", "sftp": "sshfs"}


class RemoteError(UserError):
    """The store could not be reached or refused a request (exit code 1)."""

    exit_code = 1


class BadObject(Exception):
    """An object whose bytes do not match its name (the SHA-256 they must hash to)."""


class Cancelled(Exception):
    """A transfer stopped because the command was interrupted."""


@dataclass
class Listing:
    """What the store holds: asset names and sizes by hash, the hashes with a record, and
    uploads left half-way (name -> when written, UTC) by a push that was stopped."""

    assets: dict[str, tuple[str, int]] = field(default_factory=dict)  # sha256 -> (name, size)
    metas: set[str] = field(default_factory=set)
    partials: dict[str, datetime | None] = field(default_factory=dict)


class RemoteStore:
    def __init__(self, config: RemoteConfig) -> None:
        self.config = config
        self.url = config.url
        try:
            import fsspec
        except ImportError:
            raise UserError(_install_hint(self.url, "fsspec")) from None
        try:
            self.fs, self.base = fsspec.core.url_to_fs(self.url, **config.options)
        except ImportError:
            raise UserError(_install_hint(self.url, _BACKEND_PACKAGE.get(config.scheme, "fsspec"))) from None
        except (TypeError, ValueError) as error:
            raise UserError(f"{self.url}: the [remote] options were refused ({redact(str(error))}): "
                            "check their names in the backend's documentation") from None
        self.base = self.base.rstrip("/")
        self.object_store = config.scheme in _OBJECT_STORES

    def key(self, *parts: str) -> str:
        return "/".join((self.base, *parts))

    @contextlib.contextmanager
    def talking(self, doing: str) -> Iterator[None]:
        """Any failure of the store as one line, credentials left out."""
        try:
            yield
        except (UserError, Cancelled):
            raise
        except FileNotFoundError as error:
            raise RemoteError(f"{self.url}: {doing}: not found ({redact(_first_line(error))}): check the [remote] url "
                              "in cinefile.toml, and that the bucket or folder exists") from None
        except PermissionError as error:
            raise RemoteError(f"{self.url}: {doing}: access denied ({redact(_first_line(error))}): check the "
                              "store's credentials and that they allow this") from None
        except Exception as error:  # each backend has errors of its own: name them, never a traceback
            raise RemoteError(f"{self.url}: {doing}: {type(error).__name__}: {redact(_first_line(error))}; "
                              f"{_credentials_hint(self.config.scheme, error)}") from None

    # -- listing ---------------------------------------------------------------------------

    def listing(self) -> Listing:
        """Everything under the url, in three listings (assets, records, partial uploads)."""
        with self.talking("listing the store"):
            self.fs.invalidate_cache()  # another clone may have pushed since
            self._check_base()
            found = Listing()
            for entry in self._entries(self.base):
                name = entry["name"].rsplit("/", 1)[-1]
                if (match := ASSET_NAME.match(name)) and entry.get("type") != "directory":
                    found.assets[match.group(1)] = (name, int(entry.get("size") or 0))
            found.metas = {m.group(1) for e in self._entries(self.key(META))
                           if (m := META_NAME.match(e["name"].rsplit("/", 1)[-1]))}
            found.partials = {e["name"].rsplit("/", 1)[-1]: _modified(e) for e in self._entries(self.key(PARTIAL))
                              if e.get("type") != "directory"}
            return found

    def _entries(self, path: str) -> list[dict]:
        try:
            return self.fs.ls(path, detail=True)
        except FileNotFoundError:  # an empty prefix or folder: nothing there yet
            return []

    def _check_base(self) -> None:
        """The bucket (or the shared folder) must exist: cinefile never makes one. `info`, not
        `exists`, which answers False when the store cannot be reached at all."""
        top = self.base.split("/", 1)[0] if self.object_store else self.base
        try:
            self.fs.info(top)
        except FileNotFoundError:
            what = "bucket" if self.object_store else "folder"
            raise RemoteError(f"{self.url}: no {what} `{top}` there: create it (cinefile makes none), or fix the "
                              "[remote] url in cinefile.toml") from None

    # -- upload ----------------------------------------------------------------------------

    def upload(self, source: Path, name: str) -> None:
        """`source` to `<url>/<name>`: sent under a temporary name, moved into place once whole,
        so that an interrupted push never leaves a partial object under an asset's name."""
        temp = self.key(PARTIAL, f"{name.replace('/', '-')}.{tokens.token_hex(6)}")
        with self.talking(f"uploading {name}"):
            if not self.object_store:
                self.fs.makedirs(self.key(PARTIAL), exist_ok=True)
                self.fs.makedirs(self.key(*name.split("/")[:-1]), exist_ok=True)
            try:
                self.fs.put_file(str(source), temp)
                self.fs.mv(temp, self.key(name))
            except BaseException:
                with contextlib.suppress(Exception):
                    self.fs.rm_file(temp)
                raise

    def remove_partial(self, name: str) -> None:
        with self.talking(f"removing the partial upload {name}"), contextlib.suppress(FileNotFoundError):
            self.fs.rm_file(self.key(PARTIAL, name))

    # -- download --------------------------------------------------------------------------

    def download(self, name: str, folder: Path, sha256: str | None, cancel: threading.Event) -> Path:
        """`<url>/<name>` into a hidden temp file in `folder`, returned once whole. With
        `sha256`, the bytes must hash to it: else nothing is kept (BadObject)."""
        fd, temp = tempfile.mkstemp(prefix=".pull-", suffix=".tmp", dir=folder)
        try:
            digest = hashlib.sha256()
            with os.fdopen(fd, "wb") as out, self.talking(f"downloading {name}"), self.fs.open(self.key(name), "rb") as src:
                while chunk := src.read(CHUNK):
                    if cancel.is_set():
                        raise Cancelled()
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if sha256 is not None and digest.hexdigest() != sha256:
                raise BadObject(f"{name}: its bytes hash to {digest.hexdigest()[:12]}…, not to its name: a corrupt or "
                                "partial object on the store, not used; push it again from a clone that has it")
            return Path(temp)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):  # never leave a partial download behind
                os.unlink(temp)
            raise


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0][:300]


def _modified(entry: dict) -> datetime | None:
    """When an entry was written, as UTC; backends name and type it differently."""
    for key in ("LastModified", "last_modified", "mtime", "updated", "created"):
        value = entry.get(key)
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        if isinstance(value, (int, float)):
            return datetime.fromtimestamp(value, UTC)
    return None


def _install_hint(url: str, package: str) -> str:
    return (f"{url}: this kind of store needs the Python package `{package}`: "
            f"pip install 'cinefile[remote]' (S3), or pip install {package}")


def _credentials_hint(scheme: str, error: BaseException) -> str:
    """Where this backend looks for credentials, when the error is about them."""
    if "credential" not in type(error).__name__.lower() and "credential" not in str(error).lower():
        return "check the [remote] url and options, and try again"
    return {
        "s3": "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE for a profile in ~/.aws",
        "gs": "run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS",
        "gcs": "run `gcloud auth application-default login`, or set GOOGLE_APPLICATION_CREDENTIALS",
        "az": "set AZURE_STORAGE_ACCOUNT_NAME and sign in with `az login` (or set AZURE_STORAGE_SAS_TOKEN)",
        "abfs": "set AZURE_STORAGE_ACCOUNT_NAME and sign in with `az login` (or set AZURE_STORAGE_SAS_TOKEN)",
        "sftp": "load your SSH key into ssh-agent, or name it in ~/.ssh/config",
    }.get(scheme, "check the store's credentials")
