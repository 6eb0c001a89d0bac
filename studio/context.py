"""What every page of the studio shares: the project API for the folder the studio serves,
and the session's own state.

The folder comes from `CINEFILE_STUDIO_ROOT` (set by `cinefile studio`); a page asks for it
with `project_api()`, which gives None when the folder holds no project yet (the start page
then offers to make one). One ProjectAPI serves every browser session of the process: its
SQLite connection is shared under its lock, and its watcher keeps the index live for all.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from cinefile.daemon.api import ProjectAPI
from cinefile.daemon.errors import UserError
from cinefile.daemon.project import find_root

ROOT_VARIABLE = "CINEFILE_STUDIO_ROOT"
KEYS_STATE = "api_keys"  # {"openrouter": ..., "replicate": ...}: this browser session's only


def studio_folder() -> Path:
    return Path(os.environ.get(ROOT_VARIABLE) or Path.cwd()).resolve()


class LiveProject:
    """The shared API, with a watcher keeping its index live and a count of the syncs that
    changed something: a page that saw an older count reruns to show the change."""

    def __init__(self, root: Path) -> None:
        self.api = ProjectAPI.open(root)
        self.changes = 0
        self.api.subscribe(self._count)
        self.api.sync()
        self.watcher = self.api.watcher()
        try:
            self.watcher.start()
        except UserError:
            self.watcher = None  # no events here (a network folder, say): pages still sync on load

    def _count(self, report) -> None:
        if report.changed or report.relinked:
            self.changes += 1


@st.cache_resource(show_spinner=False)
def _open(root: str) -> LiveProject:
    return LiveProject(Path(root))


def live_project() -> LiveProject | None:
    root = find_root(studio_folder())
    return None if root is None else _open(str(root))


def project_api() -> ProjectAPI | None:
    """The project API of the folder the studio serves, synced and shared; None when the
    folder is no project (yet)."""
    live = live_project()
    return None if live is None else live.api


def forget_project() -> None:
    """Drop the shared API, so the next page opens the folder afresh (after `init`)."""
    _open.clear()


def session_keys() -> dict[str, str]:
    """The API keys typed in this browser session: memory only, never saved anywhere."""
    return st.session_state.setdefault(KEYS_STATE, {})


def show_error(error: UserError) -> None:
    """A failure is one clear line on the page; the app keeps running."""
    st.error(str(error), icon=":material/error:")
