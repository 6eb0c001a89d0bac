"""What every page of the studio shares: the project API for the folder the studio serves,
and the session's own state.

The folder comes from `CINEFILE_STUDIO_ROOT` (set by `cinefile studio`), or from a recent
project this session opened on the start page; a page asks for the API with
`project_api()`, which gives None when the folder holds no project yet (the start page then
offers to make one). One ProjectAPI serves every browser session of the process: its SQLite
connection is shared under its lock, and its watcher keeps the index live for all.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

import streamlit as st

from cinefile.daemon.api import ProjectAPI
from cinefile.daemon.atomic import write_atomic
from cinefile.daemon.errors import UserError
from cinefile.daemon.project import find_root

if TYPE_CHECKING:
    from cinefile.daemon.generate.keys import Keys

ROOT_VARIABLE = "CINEFILE_STUDIO_ROOT"
KEYS_STATE = "api_keys"  # {"openrouter": ..., "replicate": ...}: this browser session's only
OPENED_STATE = "opened_folder"  # a recent project this session opened instead of the served folder
RECENT_LIMIT = 8
MEMO_ENTRIES = 64  # lists remembered per project (LiveProject.remembered)


def studio_folder() -> Path:
    opened = st.session_state.get(OPENED_STATE)
    return Path(opened or os.environ.get(ROOT_VARIABLE) or Path.cwd()).resolve()


def open_folder(folder: Path) -> None:
    """Serve `folder` to this browser session from its next run on (a recent project)."""
    st.session_state[OPENED_STATE] = str(folder)


class LiveProject:
    """The shared API, with a watcher keeping its index live and `changes`, a number that
    moves whenever the project changed: a page drawn from an older number reruns to show it."""

    def __init__(self, root: Path) -> None:
        self.api = ProjectAPI.open(root)
        self._syncs = 0
        self._memo: dict[Any, tuple[int, Any]] = {}
        self._memo_lock = threading.Lock()
        self.api.subscribe(self._count)
        self.api.sync()
        self.watcher = self.api.watcher()
        try:
            self.watcher.start()
        except UserError:
            self.watcher = None  # no events here (a network folder, say): pages still sync on load

    def _count(self, report) -> None:
        if report.changed or report.relinked:
            self._syncs += 1

    @property
    def changes(self) -> int:
        """The syncs of this process that changed something, plus SQLite's data_version,
        which moves on every commit by another connection: an editor's language server or
        the command line may index a save first, leaving this watcher nothing to report."""
        try:
            others = self.api.index.query("PRAGMA data_version")[0]["data_version"]
        except (sqlite3.Error, UserError):  # a closed or busy index: this process's count still says most
            others = 0
        return self._syncs + others

    def remembered(self, key: Any, compute: Callable[[], Any]) -> Any:
        """`compute()`, read once per change of the project for every session: lists of
        thousands of blocks cost a tenth of a second, and a page reruns on every click. The
        index changes only by commits, and each moves `changes`. Callers must not change the value."""
        count = self.changes  # taken first: a change while computing makes the next call compute again
        with self._memo_lock:
            seen = self._memo.get(key)
        if seen is not None and seen[0] == count:
            return seen[1]
        value = compute()
        with self._memo_lock:
            self._memo = {k: v for k, v in self._memo.items() if v[0] == count}  # older counts are dead
            if len(self._memo) < MEMO_ENTRIES:
                self._memo[key] = (count, value)
        return value

    def close(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        self.api.close()


# One LiveProject per project folder for the whole process, shared by every browser session
# and by the HTTP API the studio serves under /api (so its events hear the same watcher).
_LIVE: dict[str, LiveProject] = {}
_LIVE_LOCK = threading.Lock()


def live_project_at(root: Path) -> LiveProject:
    key = str(Path(root).resolve())
    with _LIVE_LOCK:
        if key not in _LIVE:
            _LIVE[key] = LiveProject(Path(key))
        return _LIVE[key]


def live_project() -> LiveProject | None:
    root = find_root(studio_folder())
    return None if root is None else live_project_at(root)


def project_api() -> ProjectAPI | None:
    """The project API of the folder the studio serves, synced and shared; None when the
    folder is no project (yet)."""
    live = live_project()
    return None if live is None else live.api


def forget_project(root: Path | None = None) -> None:
    """Drop the shared API of `root` (all of them when None), so the next page opens the
    folder afresh (after `init`)."""
    with _LIVE_LOCK:
        keys = list(_LIVE) if root is None else [str(Path(root).resolve())]
        dropped = [_LIVE.pop(key) for key in keys if key in _LIVE]
    for live in dropped:
        live.close()  # stops its watcher: no thread or inotify watch outlives it


def session_keys() -> dict[str, str]:
    """The API keys typed in this browser session: memory only, never saved anywhere."""
    return st.session_state.setdefault(KEYS_STATE, {})


def generation_keys() -> Keys:
    """This session's keys for `api.generate(..., keys=)`, `plan_generation` and `models`: a
    key typed in the studio wins over the environment's, as everywhere."""
    from cinefile.daemon.generate.keys import find_keys  # the generation package loads on first use

    return find_keys(session=session_keys())


def show_error(error: UserError) -> None:
    """A failure is one clear line on the page; the app keeps running."""
    st.error(str(error), icon=":material/error:")


# -- recent projects: a short list of folders in the user's config dir ----------------------

def recent_file() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME", "")
    base = Path(config) if config and Path(config).is_absolute() else Path.home() / ".config"
    return base / "cinefile" / "recent.json"


def recent_projects() -> list[Path]:
    """Project folders opened lately, newest first; those gone or no project now are left out.
    The file holds folder paths only; anything else in it is ignored."""
    try:
        entries = json.loads(recent_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    entries = entries if isinstance(entries, list) else []
    found = [Path(e) for e in entries if isinstance(e, str) and Path(e).is_absolute()]
    return [folder for folder in found if find_root(folder) == folder][:RECENT_LIMIT]


def remember_project(root: Path) -> None:
    """Put `root` first in the recent list. A list that cannot be written is not worth an error."""
    root = Path(root).resolve()
    folders = [str(root)] + [str(p) for p in recent_projects() if p != root]
    with contextlib.suppress(OSError):  # a list of recent folders is a convenience: never an error
        write_atomic(recent_file(), json.dumps(folders[:RECENT_LIMIT], indent=1) + "\n")
