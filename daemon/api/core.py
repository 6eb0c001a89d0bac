"""The open project every operation works on: its index, its syncs and who hears of them,
and the one guarded write through which every change to a block file goes.

A change is a `FileChange`: the text a caller saw and the text it wants, computed by an
operation as a plain value. The command line, the studio and the HTTP API apply it here
(`apply`); the language server sends it to the editor as a WorkspaceEdit instead, so the
editor's undo works. Either way the rule that made it is the same function.
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from cinefile.format.hashing import bytes_hash

from ..atomic import write_atomic
from ..atomic_batch import write_atomic_all
from ..errors import UserError
from ..inside import Inside, read_regular
from ..index.db import Index
from ..index.sync import Progress, SyncReport, open_index, sync
from ..project import Project

WRITE_LOCK_NAME = "project.db-write.lock"  # beside project.db, so `project.db*` ignores it too


class NoSuchBlock(UserError):
    """No block has this id (or path)."""


class WriteConflict(UserError):
    """The file changed since the caller read it. Carries the text on disk now, so a front
    end can show both versions and let the person choose."""

    exit_code = 1

    def __init__(self, message: str, path: str, current_text: str | None, current_hash: str | None) -> None:
        super().__init__(message)
        self.path, self.current_text, self.current_hash = path, current_text, current_hash


@dataclass(frozen=True)
class BlockText:
    """A block file as read: its path, text, and the hash of its bytes (the guard for a write)."""

    path: str
    text: str
    file_hash: str


@dataclass(frozen=True)
class FileChange:
    """One file's change: `old_text` is what the change was computed from (None for a new
    file), `new_text` what it becomes (None to delete it), `new_path` where it moves."""

    path: str
    old_text: str | None
    new_text: str | None
    new_path: str | None = None
    how: str = "edit"  # what made it, for history: edit, create, rename, generate, undo, review, approve, import

    @property
    def base_hash(self) -> str | None:
        return None if self.old_text is None else text_hash(self.old_text)

    def to_json(self) -> dict:
        return {"path": self.path, "new_path": self.new_path, "old_text": self.old_text, "new_text": self.new_text}


@dataclass
class Applied:
    """What `apply` did: the paths written (new paths for moves) and the sync that followed."""

    written: list[str] = field(default_factory=list)
    report: SyncReport | None = None


def _user() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container's), nor LOGNAME
        return None


def text_hash(text: str) -> str:
    return bytes_hash(text.encode("utf-8"))


class Core:
    """A project folder opened for work. Use `ProjectAPI.open(folder)` (in `__init__`)."""

    def __init__(self, project: Project, index: Index | None = None) -> None:
        self.project = project
        project.config  # a broken cinefile.toml fails here, once, with its line
        self.index = index if index is not None else open_index(project)
        self._owns_index = index is None
        self._subscribers: list[Callable[[SyncReport], None]] = []
        self.sync_lock = threading.RLock()  # one sync at a time in this process
        self._write_lock = threading.Lock()

    @classmethod
    def open(cls, start: Path | None = None, **kwargs):
        """The project around `start` (default: the current folder), as git finds .git."""
        return cls(Project.find(start), **kwargs)

    def close(self) -> None:
        if self._owns_index:
            self.index.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def root(self) -> Path:
        return self.project.root

    # -- sync ------------------------------------------------------------------------

    def sync(self, scope: Iterable[str] | None = None, progress: Progress | None = None) -> SyncReport:
        """Bring the index in line with the files (or with the paths in `scope`), then tell
        every subscriber what changed."""
        with self.sync_lock:
            report = sync(self.project, self.index, scope=None if scope is None else list(scope), progress=progress)
        self.publish(report)
        return report

    def subscribe(self, callback: Callable[[SyncReport], None]) -> Callable[[], None]:
        """Hear of every sync this API runs or is told of; returns the unsubscribe call."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    def publish(self, report: SyncReport) -> None:
        """Tell subscribers of a sync (the watcher's syncs come through here too)."""
        for callback in list(self._subscribers):
            callback(report)

    def watcher(self, **options):
        """A watcher that keeps the index live and tells this API's subscribers of each batch
        (not started: call `start`). Options as `Watcher` takes them: log, polling, debounce."""
        from ..watch.watcher import Watcher  # watchdog is loaded only by what watches

        return Watcher(self.project, self.index, on_sync=self.publish, **options)

    # -- blocks by id or path ----------------------------------------------------------

    def row(self, ref: str) -> dict:
        """The index row of a block, by id or by path (`story/scene-1.md`, which reaches the
        second block of a duplicated id). Raises NoSuchBlock with the closest ids."""
        row = self.index.block_at(ref) if ref.endswith(".md") else self.index.block(ref)
        if row is None:
            raise NoSuchBlock(self.missing_message(ref))
        return row

    def missing_message(self, ref: str) -> str:
        from cinefile.format.parse import closest

        if ref.endswith(".md"):
            return f"no block at `{ref}`: check the path with `cinefile list`"
        keys = [r["key"] for r in self.index.query("SELECT key FROM blocks")]
        near = closest(ref, keys)
        hint = f" (did you mean `{near}`?)" if near else ""
        return f"no block `{ref}`{hint}: check the id with `cinefile list`"

    def read(self, ref: str) -> BlockText:
        """A block's file as it is on disk now."""
        return self.read_path(self.row(ref)["path"])

    def read_path(self, path: str, inside: Inside | None = None) -> BlockText:
        """A file as it is on disk now; `inside`: the checker of an operation reading many."""
        inside = inside or Inside(self.project.root)
        full = self._inside(path, inside)
        if not full.is_file():
            raise NoSuchBlock(f"{path}: no such file")
        try:
            data = read_regular(full, inside)
            return BlockText(path, data.decode("utf-8"), bytes_hash(data))
        except UnicodeDecodeError:
            raise UserError(f"{path}: the file is not UTF-8 text: save it as UTF-8 first") from None
        except OSError as error:
            raise UserError(f"{path}: cannot read it ({error.strerror or error})") from None

    def _inside(self, path: str, inside: Inside | None = None) -> Path:
        """The full path of a project path, refusing any that leaves the project folder;
        `inside`: the checker of an operation on many files (each folder checked once)."""
        # os.path, not pathlib: pathlib's parsing was most of this check, made for every file.
        full = os.path.join(self.project.root, path)
        inside = inside or Inside(self.project.root)
        if os.path.isabs(path) or not inside(full if os.path.exists(full) else os.path.dirname(full)):
            raise UserError(f"{path}: outside the project folder: give a path inside {self.project.root}")
        return Path(full)

    # -- the guarded write -----------------------------------------------------------

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the project's write lock: one writer at a time, across threads and
        cinefile processes, so a check and its write are never split by another writer."""
        lock_path = self.project.db_path.with_name(WRITE_LOCK_NAME)
        with self._write_lock:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                yield
            finally:
                os.close(fd)  # closing releases the flock

    def apply(self, changes: FileChange | Iterable[FileChange], *, force: bool = False) -> Applied:
        """Write changes to disk: each refused (WriteConflict, nothing written) when its file
        is no longer the text it was computed from, unless `force`. Atomic per file; the
        version being replaced is synced into history first, then the new one after, marked
        with how it came (each change's `how`) and by whom (this user)."""
        changes = [changes] if isinstance(changes, FileChange) else list(changes)
        applied = Applied()
        if not changes:
            return applied
        inside = Inside(self.project.root)  # one check of each folder for the whole write
        with self.writing():
            full = {change.path: self._inside(change.path, inside) for change in changes}  # each path checked once
            if not force:
                for change in changes:
                    self._check_base(change, full[change.path], inside)
            self._sync_quietly([c.path for c in changes])  # the version replaced goes to history
            applied.written = self._write_all(changes, full, inside)
            touched = [c.path for c in changes] + [c.new_path for c in changes if c.new_path]
            since = self.index.query("SELECT coalesce(max(id), 0) AS id FROM history")[0]["id"]
        applied.report = self.sync(scope=touched)
        self._mark_history(since, changes)
        return applied

    def _mark_history(self, since: int, changes: list[FileChange]) -> None:
        """Say how the versions a write made came about, and by whom: sync alone sees only
        that a file changed. One statement for each `how`: one per change scanned the new
        history rows once per change (5 s for 5,000 changes, measured)."""
        user = _user()
        paths_by_how: dict[str, list[str]] = {}
        for change in changes:
            paths_by_how.setdefault(change.how, []).extend({change.path, change.new_path or change.path})
        with self.index.write() as db:
            for how, paths in paths_by_how.items():
                db.execute("UPDATE history SET payload = json_set(payload, '$.how', ?, '$.by', ?) WHERE id > ? "
                           "AND path IN (SELECT value FROM json_each(?))", [how, user, since, json.dumps(paths)])

    def _check_base(self, change: FileChange, full: Path, inside: Inside) -> None:
        """Refuse the change when its file is no longer the text it was computed from; `full`:
        its full path, checked."""
        try:
            data = read_regular(full, inside)
        except FileNotFoundError:
            data = None
        except OSError as error:
            raise UserError(f"{change.path}: cannot read it ({error.strerror or error})") from None
        current = None if data is None else bytes_hash(data)
        if current == change.base_hash:
            if change.new_path and (self.project.root / change.new_path).exists():
                raise UserError(f"{change.new_path}: already exists: pick another name")
            return
        if data is None:
            raise WriteConflict(f"{change.path}: deleted since it was read: nothing was written", change.path, None, None)
        text = data.decode("utf-8", errors="replace")
        what = "already exists" if change.old_text is None else "changed on disk since it was read"
        raise WriteConflict(f"{change.path}: {what}: nothing was written; read it again, or overwrite it on purpose",
                            change.path, text, current)

    def _sync_quietly(self, paths: list[str]) -> None:
        with self.sync_lock:
            report = sync(self.project, self.index, scope=paths)
        if report.changed:
            self.publish(report)

    def _write_all(self, changes: list[FileChange], full: dict[str, Path], inside: Inside) -> list[str]:
        """Write every change (`full`: each one's full path, checked); returns the paths
        written. Several files rewritten in place are staged and made durable together
        (`write_atomic_all`: one flush, not one per file); creations, moves and deletions go
        one by one after them."""
        rewrites = [c for c in changes if c.new_text is not None and not c.new_path] if len(changes) > 1 else []
        write_atomic_all((full[c.path], c.new_text) for c in rewrites)
        done = {id(c) for c in rewrites}
        return [change.path if id(change) in done else self._write_one(change, full[change.path], inside)
                for change in changes]

    def _write_one(self, change: FileChange, full: Path, inside: Inside) -> str:
        if change.new_text is None:
            full.unlink(missing_ok=True)  # the index keeps its last version in history
            return change.path
        if change.new_path and change.new_path != change.path:
            target = self._inside(change.new_path, inside)
            write_atomic(target, change.new_text)
            full.unlink(missing_ok=True)
            return change.new_path
        write_atomic(full, change.new_text)
        return change.path
