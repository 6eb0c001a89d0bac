"""The real `cinefile lsp` process, driven by pytest-lsp as VS Code and as Neovim, over a
copy of tests/workspaces/night-ferry. One server per test module and client profile."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import time
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

WORKSPACES = Path(__file__).parents[1] / "workspaces"
SERVER = [sys.executable, "-m", "cinefile.cli", "lsp"]
# The server runs without API keys, so generation is mocked and no test reaches the internet.
SERVER_ENV = {name: value for name, value in os.environ.items() if "OPENROUTER" not in name and "REPLICATE" not in name}
PROFILES = ["visual_studio_code", "neovim"]
DEADLINE_S = 10.0


def copy_workspace(tmp_path_factory, name: str = "night-ferry") -> Path:
    target = tmp_path_factory.mktemp("ws") / name
    shutil.copytree(WORKSPACES / name, target)
    return target


def apply_text_edits(text: str, edits: list[types.TextEdit]) -> str:
    """What an editor does with text edits (the workspace's files are ASCII: columns are characters)."""
    lines = text.splitlines(True)

    def offset(position: types.Position) -> int:
        before = sum(len(line) for line in lines[:position.line])
        line = lines[position.line] if position.line < len(lines) else ""
        return before + min(position.character, len(line))

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[:offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
        lines = text.splitlines(True)
    return text


def apply_workspace_edit(edit: types.WorkspaceEdit) -> None:
    """Apply an edit to the files on disk, as an editor applies and saves it."""
    from pygls.uris import to_fs_path

    for uri, edits in (edit.changes or {}).items():
        path = Path(to_fs_path(uri))
        path.write_text(apply_text_edits(path.read_text(encoding="utf-8"), edits), encoding="utf-8")
    for change in edit.document_changes or []:
        if isinstance(change, types.CreateFile):
            path = Path(to_fs_path(change.uri))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
        elif isinstance(change, types.RenameFile):
            Path(to_fs_path(change.old_uri)).rename(to_fs_path(change.new_uri))
        elif isinstance(change, types.TextDocumentEdit):
            path = Path(to_fs_path(change.text_document.uri))
            path.write_text(apply_text_edits(path.read_text(encoding="utf-8"), change.edits), encoding="utf-8")


async def start(lsp_client: LanguageClient, profile: str, root: Path, options: dict | None = None, capabilities=None) -> None:
    edits: list[types.WorkspaceEdit] = []
    lsp_client.applied_edits = edits

    @lsp_client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams):
        edits.append(params.edit)
        apply_workspace_edit(params.edit)
        return types.ApplyWorkspaceEditResult(applied=True)

    result = await lsp_client.initialize_session(types.InitializeParams(
        capabilities=capabilities or client_capabilities(profile),
        workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(root)), name=root.name)],
        initialization_options=options))
    lsp_client.server_capabilities = result.capabilities
    lsp_client.encoding = str(result.capabilities.position_encoding or "utf-16")


@pytest_lsp.fixture(scope="module", params=PROFILES, config=ClientServerConfig(server_command=SERVER, server_env=SERVER_ENV))
async def client(request, lsp_client: LanguageClient, tmp_path_factory):
    root = copy_workspace(tmp_path_factory)
    lsp_client.root = root
    await start(lsp_client, request.param, root)
    yield
    await asyncio.wait_for(lsp_client.shutdown_session(), 5.0)


def uri_for(client: LanguageClient, rel: str) -> str:
    return from_fs_path(str(client.root / rel))


def open_block(client: LanguageClient, rel: str, text: str | None = None) -> str:
    uri = uri_for(client, rel)
    if text is None:
        text = (client.root / rel).read_text(encoding="utf-8")
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="markdown", version=1, text=text)))
    return uri


def close_block(client: LanguageClient, uri: str) -> None:
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))


def replace_text(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


async def until(condition, deadline_s: float = DEADLINE_S, what: str = "condition"):
    """Poll `condition()` until it is truthy, failing after the deadline."""
    end = time.monotonic() + deadline_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def diagnostics_where(client: LanguageClient, uri: str, predicate, what: str = "diagnostics") -> list:
    """The diagnostics last published for `uri`, once they satisfy `predicate`."""
    await until(lambda: uri in client.diagnostics and predicate(client.diagnostics[uri]), what=what)
    return client.diagnostics[uri]


def codes(diagnostics) -> list[str]:
    return sorted(str(d.code) for d in diagnostics)


def units(client: LanguageClient, text: str) -> int:
    """The length of `text` in the position encoding the server and client agreed on."""
    if client.encoding == "utf-8":
        return len(text.encode("utf-8"))
    if client.encoding == "utf-32":
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def position_of(client: LanguageClient, text: str, needle: str, offset: int = 0) -> types.Position:
    """The position of `needle` (plus `offset` characters) in `text`, in the client's units."""
    index = text.index(needle) + offset
    line_start = text.rfind("\n", 0, index) + 1
    return types.Position(line=text.count("\n", 0, index), character=units(client, text[line_start:index]))
