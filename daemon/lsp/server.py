"""The server object: the project it opened, the index, and the model of blocks with the
open buffers laid over it. Capabilities live in their own modules (see `features.py`)."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path
from typing import Sequence

from cinefile.format.parse import parse_text
from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from ..api import ProjectAPI
from ..errors import UserError
from ..index.db import Index
from ..index.paused_gc import paused_gc
from ..index.sync import SyncReport, open_index, sync
from ..inside import read_regular
from ..project import Project, find_root
from .cancel import CommandCancellingProtocol
from .first_index import FirstIndex
from .model import IndexRows, Model, node_of_block

log = logging.getLogger("cinefile.lsp")
VERSION = "0.1.0"


class CinefileServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("cinefile", VERSION, protocol_cls=CommandCancellingProtocol)
        self.project: Project | None = None
        self.api: ProjectAPI | None = None  # every operation goes through it
        self.index: Index | None = None  # sync writes through this connection
        self.reads: Index | None = None  # and the model is read through this one
        self.rows: IndexRows | None = None  # the model's reads, through `reads`
        self.model = Model()
        self.keys: dict[str, str] = {}  # API keys for this session only: never written anywhere
        self.ready = asyncio.Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.sync_lock = threading.RLock()  # the API's too: one sync at a time
        self.watch_lock = threading.Lock()  # held while the watcher starts: `stop` waits for it
        self.stopping = threading.Event()
        self.publisher = None  # set by features.py: the diagnostics scheduler
        self.watcher = None  # the project API's watcher, once started
        self.estimates: dict[tuple, tuple[str, int]] = {}  # cost and reference count, by block state
        self.workspace_paths: list[Path] = []
        self.first_index: FirstIndex | None = None  # see `fork_first_index`

    # -- the project ---------------------------------------------------------------------

    def folders(self, params: types.InitializeParams) -> list[Path]:
        uris = [folder.uri for folder in params.workspace_folders or []]
        if not uris and params.root_uri:
            uris = [params.root_uri]
        return [Path(path) for uri in uris if (path := to_fs_path(uri))]

    async def started(self) -> None:
        """Wait until the project is open (or known to be absent) and its model loaded.

        Handlers that waited wake in the order their messages came. A handler that finds the
        model loaded yields once first, so that those woken by the same moment go ahead: a
        request that came after a didOpen, but first ran just after loading, would otherwise
        overtake the waiting didOpen and miss its buffer."""
        if not self.ready.is_set():
            await self.ready.wait()
        else:
            await asyncio.sleep(0)

    def open_project(self, folders: Sequence[Path]) -> str | None:
        """Open the first workspace folder that is (inside) a project; a message when none is."""
        roots = list(dict.fromkeys(root for folder in folders if (root := find_root(folder)) is not None))
        if not roots:
            names = ", ".join(str(f) for f in folders) or "no folder"
            return f"cinefile: {names} is not a cinefile project (no cinefile.toml): run `cinefile init` there to make one"
        try:
            project = Project(roots[0])
            project.config  # a broken cinefile.toml is reported now, once
            self.index = open_index(project)
            self.reads = Index(project.db_path)
            self.rows = IndexRows(self.reads)
        except UserError as error:
            return f"cinefile: {error}"
        self.project = project
        self.api = ProjectAPI(project, index=self.index)
        self.api.sync_lock = self.sync_lock
        self.api.session_keys = self.keys  # the same dict: keys set later reach the API too
        self.api.subscribe(self.on_sync)
        if len(roots) > 1:
            log.warning("several cinefile projects in the workspace; serving %s", roots[0])
        return None

    def fork_first_index(self) -> None:
        """Fork, while this process has one thread, the process that builds the index if
        the project turns out to have none (see `first_index.py`). Before serving."""
        self.first_index = FirstIndex()

    def drop_first_index(self) -> None:
        """Let the first-index process go unused: there is no project, or the server stops."""
        with self.sync_lock:
            if self.first_index is not None:
                self.first_index.release()
                self.first_index = None

    def load(self) -> None:
        """Fill the model from the index; index first when project.db is new. That first
        sync is not passed to `on_sync`: the model is about to load every block anyway, and
        loading them twice was a sixth of a first start at 10,000 blocks (measured)."""
        with paused_gc():
            with self.sync_lock:
                first_index, self.first_index = self.first_index, None
                if not self.reads.query("SELECT 1 FROM blocks LIMIT 1"):
                    if first_index is None or not first_index.build(self.project.root):
                        sync(self.project, self.index)
                elif first_index is not None:
                    first_index.release()
            self.model.load(self.rows.nodes())

    def run_sync(self, scope: list[str] | None = None) -> SyncReport:
        """Index the folder (or some paths of it) and bring the model in line. Blocking."""
        return self.api.sync(scope)  # subscribers, `on_sync` among them, hear of it

    def on_sync(self, report: SyncReport) -> None:
        """After any sync (ours, the watcher's): reload the blocks it changed. Any thread."""
        if not report.changed or self.stopping.is_set():
            return
        paths = report.added + report.modified + [new for _, new in report.renamed]
        removed = report.removed + [old for old, _ in report.renamed]
        with paused_gc():
            nodes = self.rows.nodes_at(paths)
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self._apply_disk, nodes, removed)

    def _apply_disk(self, nodes, removed) -> None:
        self.model.update_disk(nodes, removed)
        if self.publisher is not None:
            self.publisher.project_changed()

    def watch(self) -> str | None:
        """Keep the index and the model in line with the disk: git, the CLI, other editors.
        The watcher starts with a catch-up sync of what changed while no one watched.
        Blocking (watchdog adds a watch to every folder), so run it off the event loop.
        Returns what to tell the user when the folder cannot be watched."""
        with self.watch_lock:
            if self.stopping.is_set():
                return None
            watcher = self.api.watcher(log=self.log_from_thread)
            try:
                watcher.start()
            except UserError as error:
                return f"cinefile: {error}"
            self.watcher = watcher
        return None

    def log_from_thread(self, message: str) -> None:
        log.info("%s", message)
        if self.loop is not None and not self.stopping.is_set():
            params = types.LogMessageParams(type=types.MessageType.Log, message=f"cinefile: {message}")
            self.loop.call_soon_threadsafe(self.window_log_message, params)

    def stop(self) -> None:
        self.stopping.set()
        # A watcher still starting syncs through self.index: closing that under it crashed
        # the process (SIGSEGV in sqlite3), so wait for it, then stop it.
        with self.watch_lock:
            if self.watcher is not None:
                self.watcher.stop()
                self.watcher = None
        self.drop_first_index()
        with self.sync_lock:
            for index in (self.index, self.reads):
                if index is not None:
                    index.close()
            self.index = self.reads = None

    # -- documents -----------------------------------------------------------------------

    def rel_path(self, uri: str) -> str | None:
        """The block path a URI names, or None when it is no block of the open project."""
        if self.project is None:
            return None
        path = to_fs_path(uri)
        if not path or not path.endswith(".md") or not self.project.contains(path):
            return None
        rel = self.project.relative(path)
        return None if rel.startswith("..") or self.project.is_excluded(rel) else rel

    def uri_of(self, rel: str) -> str:
        return from_fs_path(str(self.project.root / rel))

    def lines_of(self, rel: str) -> Sequence[str]:
        """The lines of a block: its open buffer, else its file."""
        document = self.workspace.text_documents.get(self.uri_of(rel))
        if document is not None:
            return document.lines
        try:
            data = read_regular(self.project.root / rel, self.project.root)
            return data.decode("utf-8", errors="replace").splitlines(True)
        except OSError:
            return []

    def document_node(self, uri: str):
        """The node of an open or on-disk block, and the document's lines; (None, []) otherwise."""
        rel = self.rel_path(uri)
        if rel is None or not self.ready.is_set():
            return None, []
        node = self.model.nodes.get(rel)
        lines = self.lines_of(rel)
        if node is not None and node.block is None:
            # A closed file: parse it once, so ranges and keys are exact for what is on disk.
            node = node_of_block(parse_text(rel, "".join(lines)))
        return node, lines

    def update_buffer(self, uri: str) -> str | None:
        rel = self.rel_path(uri)
        if rel is None:
            return None
        document = self.workspace.get_text_document(uri)
        self.model.set_buffer(node_of_block(parse_text(rel, document.source)))
        return rel

    def close_buffer(self, uri: str) -> None:
        rel = self.rel_path(uri)
        if rel is not None:
            self.model.drop_buffer(rel)

    def notify_user(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        self.window_show_message(types.ShowMessageParams(type=kind, message=message))
