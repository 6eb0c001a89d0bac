"""Language server figures, through the real `cinefile lsp` process driven over stdio by
pygls' client, the way an editor drives it:

- start -> first diagnostics for an opened scene, with an existing project.db, and with
  none (a fresh clone's first open, which indexes the project first);
- completion, hover and definition on a dependency id: p50/p95/p99;
- didChange -> the diagnostics for that version: p50/p95/p99, and the same less the debounce;
- the server's peak RSS after all of them.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

from common import block_files, drop_index, latencies, memory, targets_at, timing
from daemon_process import peak_rss_mb

DEADLINE_S = 120.0
DOCUMENTS = 5
WARM_UP_S = 2.0


def available() -> bool:
    """Whether this install has `cinefile lsp`."""
    try:
        import cinefile.daemon.lsp  # noqa: F401
    except ImportError:
        return False
    return True


def _debounce_s() -> float:
    from cinefile.daemon.lsp.diagnostics import DEBOUNCE_S

    return DEBOUNCE_S


class _Session:
    """One client and server, with the diagnostics each document's versions received."""

    def __init__(self) -> None:
        self.client = LanguageClient("cinefile-bench", "1")
        self.published: dict[str, dict[int | None, float]] = {}
        self.arrived = asyncio.Event()

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
            self.published.setdefault(params.uri, {})[params.version] = time.perf_counter()
            self.arrived.set()

    async def start(self, root: Path) -> None:
        await self.client.start_io(sys.executable, "-m", "cinefile.cli", "lsp", cwd=root)
        self._stderr = asyncio.create_task(self._drain(self.client._server.stderr))
        capabilities = types.ClientCapabilities(text_document=types.TextDocumentClientCapabilities(
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True),
            completion=types.CompletionClientCapabilities(),
            hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown])))
        await self.client.initialize_async(types.InitializeParams(
            capabilities=capabilities, process_id=None,
            workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(root)), name=root.name)]))
        self.client.initialized(types.InitializedParams())

    @staticmethod
    async def _drain(stream) -> None:
        while await stream.read(65536):
            continue  # read and drop: a full stderr pipe would block the server

    @property
    def pid(self) -> int:
        return self.client._server.pid

    async def diagnostics(self, uri: str, version: int) -> float:
        """When the diagnostics for this version of the document arrived."""
        end = time.monotonic() + DEADLINE_S
        while version not in self.published.get(uri, {}):
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), max(end - time.monotonic(), 0.001))
        return self.published[uri][version]

    async def stop(self) -> None:
        await asyncio.wait_for(self.client.shutdown_async(None), DEADLINE_S)
        self.client.exit(None)
        await asyncio.wait_for(self.client.stop(), DEADLINE_S)
        self._stderr.cancel()


def _dependency_position(text: str) -> types.Position:
    """Inside the first dependency id listed (`  - character-00012`)."""
    lines = text.split("\n")
    line = lines.index("dependencies:") + 1
    return types.Position(line=line, character=6)


async def _settle(session: _Session, scenes: list[str], uris: dict, texts: dict) -> None:
    """Hovers, unmeasured, for WARM_UP_S: the server starts serving before its watcher's
    catch-up sync is done, and that sync holds the interpreter for a while on big projects.
    The figures are for a server at work, not one starting; start is its own figure."""
    end = time.monotonic() + WARM_UP_S
    while time.monotonic() < end:
        for rel in scenes:
            document = types.TextDocumentIdentifier(uris[rel])
            await session.client.text_document_hover_async(types.HoverParams(document, _dependency_position(texts[rel])))


async def _timed(samples: list[float], request) -> None:
    started = time.perf_counter()
    await request
    samples.append(time.perf_counter() - started)


def _open(session: _Session, uri: str, text: str) -> None:
    session.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
        uri=uri, language_id="markdown", version=1, text=text)))


async def _first_start(root: Path) -> float:
    """Start -> first diagnostics with no project.db: the server indexes the project first."""
    scene = next(rel for rel in block_files(root) if "/scenes/" in rel)
    uri = from_fs_path(str(root / scene))
    drop_index(root)
    session = _Session()
    started = time.perf_counter()
    await session.start(root)
    _open(session, uri, (root / scene).read_text(encoding="utf-8"))
    try:
        return await session.diagnostics(uri, 1) - started
    finally:
        await session.stop()


async def _measure(root: Path, requests: int, changes: int) -> list[dict]:
    first_start = await _first_start(root)
    scenes = [rel for rel in block_files(root) if "/scenes/" in rel][:DOCUMENTS]
    texts = {rel: (root / rel).read_text(encoding="utf-8") for rel in scenes}
    uris = {rel: from_fs_path(str(root / rel)) for rel in scenes}
    session = _Session()
    started = time.perf_counter()
    await session.start(root)
    first = scenes[0]
    _open(session, uris[first], texts[first])
    first_diagnostics = await session.diagnostics(uris[first], 1) - started
    try:
        for rel in scenes[1:]:
            _open(session, uris[rel], texts[rel])
            await session.diagnostics(uris[rel], 1)
        await _settle(session, scenes, uris, texts)
        completion, hover, definition = [], [], []
        for n in range(requests):
            rel = scenes[n % len(scenes)]
            where = types.TextDocumentPositionParams(types.TextDocumentIdentifier(uris[rel]), _dependency_position(texts[rel]))
            at_id_start = types.Position(where.position.line, 4)
            await _timed(completion, session.client.text_document_completion_async(
                types.CompletionParams(where.text_document, at_id_start)))
            await _timed(hover, session.client.text_document_hover_async(types.HoverParams(where.text_document, where.position)))
            await _timed(definition, session.client.text_document_definition_async(
                types.DefinitionParams(where.text_document, where.position)))
        changed = []
        for n in range(changes):
            rel = scenes[n % len(scenes)]
            version = 2 + n // len(scenes)
            texts[rel] += f"\nA new line, {n}.\n"
            sent = time.perf_counter()
            session.client.text_document_did_change(types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=uris[rel], version=version),
                [types.TextDocumentContentChangeWholeDocument(text=texts[rel])]))
            changed.append(await session.diagnostics(uris[rel], version) - sent)
        rss = peak_rss_mb(session.pid)
    finally:
        await session.stop()
    debounce = _debounce_s()
    return [
        timing("LSP start -> first diagnostics", first_diagnostics, target=1.0, note="existing project.db"),
        timing("LSP first start, no project.db -> first diagnostics", first_start,
               note="a fresh clone: indexes the project first"),
        latencies("LSP completion", completion, target_p95=10.0, note="dependency id"),
        latencies("LSP hover", hover, target_p95=10.0, note="dependency id"),
        latencies("LSP definition", definition, target_p95=10.0, note="dependency id"),
        latencies("LSP didChange -> diagnostics", changed, note=f"debounce {debounce * 1000:.0f} ms included"),
        latencies("LSP didChange -> diagnostics, less debounce", [s - debounce for s in changed], target_p95=50.0),
        targets_at(memory("language server peak RSS", rss, target=200.0, note="cinefile lsp, after the figures above"),
                   at_100000=400.0),
    ]


def measure(root: Path, requests: int = 200, changes: int = 50) -> list[dict]:
    return asyncio.run(_measure(root, requests, changes))
