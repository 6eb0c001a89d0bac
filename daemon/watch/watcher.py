"""The watcher: keeps the index in line with the folder while something runs, the
`cinefile watch` daemon or the language server.

Filesystem events only say where to look. Paths are collected until the folder has been
quiet for `debounce` seconds (or MAX_BATCH_DELAY_S after the first event), then the batch
becomes one call to `sync` with those paths as its scope: one transaction, and the one
indexing code path. A git checkout of thousands of files becomes a few batches.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import re
import sys
import threading
import time
import warnings
from typing import Callable

from watchdog.events import (
    DirAttribEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileAttribEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from ..errors import UserError
from ..index.db import Index
from ..index.forked import fork_is_safe
from ..index.sync import SyncReport, sync
from ..index.walk import is_block_name
from ..project import IGNORE_FILES, Project

HEARTBEAT_S = 1.0  # how often an idle watcher checks that its root is still where it was
MAX_BATCH_DELAY_S = 0.5  # a steady stream of events is still synced at least this often
FULL_SYNC_ABOVE = 2000  # past this many paths, one walk of the tree beats a long scope
RETRY_DELAY_S = 1.0  # after a failed sync (say, the db locked for longer than its timeout)
MAX_RETRY_DELAY_S = 30.0  # doubling while it keeps failing
POLL_INTERVAL_S = 1.0
_SKIPPED_EVENTS = frozenset({"opened", "closed_no_write"})
# The events asked of the kernel. Not opens and reads: a full sync's own walk opens every
# folder, and on a project of thousands of folders those events alone overflowed the inotify
# queue, which asks for another full sync, which overflowed it again.
_WATCHED_EVENTS = [FileCreatedEvent, FileModifiedEvent, FileAttribEvent, FileClosedEvent, FileDeletedEvent,
                   FileMovedEvent, DirCreatedEvent, DirAttribEvent, DirDeletedEvent, DirMovedEvent]
# Files editors write beside the real one while saving; none of them is a block.
_EDITOR_TEMP = re.compile(
    r"^\d+$"  # Vim's write probe, 4913 (and up when that one exists)
    r"|\.sw[a-px]$|~$"  # Vim swap files (and its .swx probe) and backups
    r"|^\.?#|#$"  # Emacs lock links (.#file) and autosaves (#file#)
    r"|___jb_(tmp|old|bak)___$"  # JetBrains safe write
    r"|\.(tmp|temp|crswap|kate-swp)$"
)


def is_editor_temp(name: str) -> bool:
    return bool(_EDITOR_TEMP.search(name))


class RootGone(Exception):
    """The watched folder was deleted or moved away."""


class Watcher:
    def __init__(self, project: Project, index: Index, *, on_sync: Callable[[SyncReport], None] | None = None,
                 debounce: float = 0.075, polling: bool = False, log: Callable[[str], None] | None = None) -> None:
        self.project = project
        self.index = index
        self.on_sync = on_sync
        self.debounce = debounce
        self.polling = polling
        self.log = log or (lambda message: None)
        self._root = str(project.root)
        self._prefix = self._root.rstrip(os.sep) + os.sep
        self._root_id: tuple[int, int] | None = None
        self._cond = threading.Condition()
        # Paths to sync -> whether the last event left a file there (not a delete or a move away).
        self._pending: dict[str, bool] = {}
        self._full = False  # a full sync is due: an ignore file changed, or events were lost
        self._new_folders = False
        self._root_touched = False
        self._failures = 0  # failed syncs in a row
        self._first_at = self._last_at = 0.0
        self._stopping = False
        self._observer: BaseObserver | None = None
        self._observer_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.observer_kind = ""  # "inotify" (or the platform's own), or "polling"
        self.ready = threading.Event()  # set once the catch-up sync is done
        self.finished = threading.Event()  # set once the watcher has stopped, asked to or not
        self.error: str | None = None  # why it stopped on its own

    # -- life cycle ------------------------------------------------------------------------

    def start(self) -> None:
        """Start watching, then run the catch-up sync and the batches in a background thread."""
        self._root_id = self._stat_root()
        if self._root_id is None:
            raise UserError(f"{self._root}: the project folder is gone; nothing to watch")
        self._index_first()
        # watchdog warns when a folder moved back in still has its old watch; it reuses it.
        warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"watchdog\.")
        self._start_observer(self.polling)
        _OVERFLOW.listeners.add(self._lost_events)
        self._thread = threading.Thread(target=self._run, name="cinefile-watcher", daemon=True)
        self._thread.start()

    def _index_first(self) -> None:
        """An empty index (a fresh clone, say) is filled before any thread starts, so that
        sync may read the files in forked workers (1.25 s -> 0.95 s at 10,000 blocks,
        measured). The catch-up sync that follows finds only what changed meanwhile."""
        if fork_is_safe() and not self.index.query("SELECT 1 FROM blocks LIMIT 1"):
            self._sync_batch({}, full=True)

    def stop(self) -> None:
        """Let the sync under way finish, then stop watching. Events not yet synced are left
        to the next catch-up sync."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        self._stop_observer()
        _OVERFLOW.listeners.discard(self._lost_events)
        self.finished.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the watcher stops (returns True) or `timeout` passes (False)."""
        return self.finished.wait(timeout)

    # -- observers -------------------------------------------------------------------------

    def _start_observer(self, polling: bool) -> None:
        observer = None if polling else self._event_observer()
        if observer is None:
            observer = PollingObserver(timeout=POLL_INTERVAL_S)
            self._schedule(observer)
        with self._observer_lock:
            self._observer = observer
        self.observer_kind = type(observer).__name__.removesuffix("Observer").lower()

    def _event_observer(self) -> BaseObserver | None:
        """The platform's event observer (inotify on Linux), or None when it is out of watches."""
        observer = Observer()
        try:
            self._schedule(observer)
        except OSError as error:
            if error.errno not in (errno.ENOSPC, errno.EMFILE):
                raise UserError(f"{self._root}: cannot watch it ({error.strerror or error})") from None
            self._warn_watch_limit()
            return None
        if _inotify_full(self._root):
            _halt(observer)  # watchdog skipped the folders it had no watch left for
            self._warn_watch_limit()
            return None
        return observer

    def _warn_watch_limit(self) -> None:
        self.log(f"warning: the inotify watch limit is reached; falling back to polling every {POLL_INTERVAL_S:.0f}s "
                  "(raise it: sudo sysctl fs.inotify.max_user_watches=524288)")

    def _schedule(self, observer: BaseObserver) -> None:
        try:
            observer.schedule(_Events(self), self._root, recursive=True, event_filter=_WATCHED_EVENTS)
            observer.start()
        except BaseException:
            _halt(observer)
            raise

    def _stop_observer(self) -> None:
        with self._observer_lock:
            observer, self._observer = self._observer, None
        if observer is not None:
            _halt(observer)

    def _lost_events(self) -> None:
        self.log("the kernel dropped filesystem events (inotify queue overflow); running a full sync")
        with self._cond:
            self._full = True
            self._touch()

    # -- events (watchdog's dispatcher thread) ---------------------------------------------

    def on_event(self, event: FileSystemEvent) -> None:
        kind = event.event_type
        if kind in _SKIPPED_EVENTS or (event.is_directory and kind == "modified"):
            return  # a folder's "modified" only says one of its entries changed: that entry reports itself
        moved = kind == "moved"
        paths = [(os.fsdecode(event.src_path), kind != "deleted" and not moved)]
        if moved:
            paths.append((os.fsdecode(event.dest_path), True))
        with self._cond:
            for path, written in paths:
                if path == self._root:
                    self._root_touched = True
                elif path.startswith(self._prefix):
                    self._note(path[len(self._prefix):].replace(os.sep, "/"), event.is_directory, written, kind)
            self._cond.notify_all()

    def _note(self, rel: str, is_dir: bool, written: bool, kind: str) -> None:
        if rel.rsplit("/", 1)[-1] in IGNORE_FILES:  # the root's or a folder's: what is indexed may change
            self._full = True
        elif self.project.is_excluded(rel, is_dir):
            return
        elif is_dir:
            self._pending[rel] = written
            self._new_folders |= written and kind in ("created", "moved")
        elif is_block_name(rel.rsplit("/", 1)[-1]) and not is_editor_temp(rel.rsplit("/", 1)[-1]):
            self._pending[rel] = written
        else:
            return
        self._touch()

    def _touch(self) -> None:
        now = time.monotonic()
        if self._first_at == 0.0:
            self._first_at = now
        self._last_at = now
        self._cond.notify_all()

    # -- batches (the watcher's own thread) ------------------------------------------------

    def _run(self) -> None:
        try:
            self._sync_batch({}, full=True)  # catch up on what changed while nobody watched
            self.ready.set()
            while (batch := self._next_batch()) is not None:
                self._sync_batch(*batch)
        except RootGone as gone:
            self._fail(str(gone))
        except Exception as error:  # a bug: the watcher stops, but with one line, not a traceback
            self._fail(f"the watcher stopped on an internal error: {type(error).__name__}: {error}")
        finally:
            self.ready.set()
            if self.error is not None:
                self.finished.set()

    def _fail(self, message: str) -> None:
        self.error = message
        self.log(message)
        self._stop_observer()

    def _next_batch(self) -> tuple[dict[str, bool], bool, bool] | None:
        """Wait for events, then for the folder to go quiet; None when asked to stop."""
        with self._cond:
            while not self._stopping and not (self._pending or self._full or self._root_touched):
                if not self._cond.wait(HEARTBEAT_S):
                    self._check_root()
            while not self._stopping:
                now = time.monotonic()
                wait = min(self._last_at + self.debounce, self._first_at + MAX_BATCH_DELAY_S) - now
                if wait <= 0:
                    break
                self._cond.wait(wait)
            if self._stopping:
                return None
            batch = (self._pending, self._full, self._new_folders)
            self._pending, self._full, self._new_folders, self._root_touched = {}, False, False, False
            self._first_at = 0.0
            return batch

    def _sync_batch(self, pending: dict[str, bool], full: bool = False, new_folders: bool = False) -> None:
        self._check_root()
        if new_folders and self.observer_kind == "inotify" and _inotify_full(self._root):
            self._warn_watch_limit()
            self._stop_observer()
            self._start_observer(polling=True)
            full = True  # what happened in the folders inotify could not watch
        if full:
            self.project.forget_ignore_files()  # an ignore file may have changed
        scope = None if full or len(pending) > FULL_SYNC_ABOVE else list(pending)
        if scope == []:
            return
        try:
            report = sync(self.project, self.index, scope=scope, reread=scope is not None)
        except Exception as error:
            self._check_root()
            self._retry_later(pending, full, error)
            return
        self._failures = 0
        self._report_vanished(pending, report)
        if scope is not None:
            for path, reason in sorted(report.refused.items()):
                self.log(f"{path}: {reason}")
        if (report.changed or report.relinked) and self.on_sync is not None:
            try:
                self.on_sync(report)
            except Exception as error:
                self.log(f"on_sync failed: {type(error).__name__}: {error}")

    def _retry_later(self, pending: dict[str, bool], full: bool, error: Exception) -> None:
        """Put the batch back and wait, longer each time it fails again."""
        self._failures += 1
        delay = min(RETRY_DELAY_S * 2 ** (self._failures - 1), MAX_RETRY_DELAY_S)
        reason = str(error) if isinstance(error, UserError) else f"{type(error).__name__}: {error}"
        self.log(f"sync failed ({reason}); trying again in {delay:.0f}s")
        with self._cond:
            for rel, written in pending.items():
                self._pending.setdefault(rel, written)
            self._full |= full
            self._cond.wait_for(lambda: self._stopping, delay)
            self._touch()

    def _report_vanished(self, pending: dict[str, bool], report: SyncReport) -> None:
        """A file written and deleted again before the batch read it: say so, once."""
        for rel, written in sorted(pending.items()):
            if written and is_block_name(rel) and not os.path.lexists(os.path.join(self._root, rel)) \
                    and rel not in report.removed:
                self.log(f"{rel}: deleted before it could be read; skipped")

    def _stat_root(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self._root)
        except OSError:
            return None
        return st.st_dev, st.st_ino

    def _check_root(self) -> None:
        if self._stat_root() != self._root_id:
            raise RootGone(f"{self._root}: the project folder was moved or deleted; stopped watching it "
                           "(start again where the project now is)")


class _Events(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        try:
            self.watcher.on_event(event)
        except Exception as error:  # an exception here would end watchdog's dispatcher thread
            self.watcher.log(f"skipped an event for {event.src_path!r}: {type(error).__name__}: {error}")


class _OverflowFilter(logging.Filter):
    """watchdog tells of a kernel queue overflow only in its log: turn that into a full sync
    in every watcher of the process (one filter for all, since the first filter that says no
    hides a record from the rest)."""

    def __init__(self) -> None:
        super().__init__()
        self.listeners: set[Callable[[], None]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.getMessage().startswith("Inotify queue overflowed"):
            return True
        if record.name == _OVERFLOW_LOGGERS[0]:  # the other one tells of the same overflow
            for listener in list(self.listeners):
                listener()
        return not self.listeners  # a watcher says it in its own words


_OVERFLOW_LOGGERS = ("watchdog.observers.inotify_c", "watchdog.observers.inotify")
_OVERFLOW = _OverflowFilter()
for _name in _OVERFLOW_LOGGERS:
    logging.getLogger(_name).addFilter(_OVERFLOW)


def _halt(observer: BaseObserver) -> None:
    observer.stop()
    if observer.is_alive():
        observer.join()


def _inotify_full(path: str) -> bool:
    """Whether the inotify watch limit is used up. watchdog silently skips a subfolder it has
    no watch left for, so after it has added its watches, try to add one more."""
    if not sys.platform.startswith("linux"):
        return False
    from watchdog.observers import inotify_c

    fd = inotify_c.inotify_init()
    if fd < 0:
        return False  # out of inotify instances, not watches: the running observer has its own
    try:
        wd = inotify_c.inotify_add_watch(fd, os.fsencode(path), inotify_c.InotifyConstants.IN_DELETE_SELF)
        return wd < 0 and ctypes.get_errno() == errno.ENOSPC
    finally:
        os.close(fd)
