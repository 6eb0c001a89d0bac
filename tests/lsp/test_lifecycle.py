"""Start and stop: the project the workspace names (or a word, once, when there is none),
handler errors answered without the server going down, keys from initializationOptions,
TCP, and a prompt exit on shutdown with the watcher stopped."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from .conftest import SERVER, SERVER_ENV, copy_workspace, open_block, until


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=SERVER, server_env=SERVER_ENV))
async def outside(lsp_client: LanguageClient, tmp_path_factory):
    """A workspace folder that holds no cinefile.toml."""
    folder = tmp_path_factory.mktemp("notes")
    (folder / "todo.md").write_text("---\ntype: shot\n---\n")
    lsp_client.root = folder
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual_studio_code"),
        workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(folder)), name="notes")]))
    yield
    await asyncio.wait_for(lsp_client.shutdown_session(), 5.0)


async def test_outside_a_project_it_says_so_once_and_stays_quiet(outside):
    """One warning that names the folder and says to run `cinefile init`; then no
    diagnostics and empty answers."""
    client = outside
    await until(lambda: client.messages, what="the warning")
    uri = open_block(client, "todo.md")
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=1, character=7)))
    assert hover is None
    assert await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="")) == []
    assert len(client.messages) == 1 and "not a cinefile project" in client.messages[0].message
    assert "cinefile init" in client.messages[0].message
    assert uri not in client.diagnostics


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=SERVER, server_env=SERVER_ENV))
async def two_folders(lsp_client: LanguageClient, tmp_path_factory):
    """Two workspace folders: notes first, then the film, with keys in initializationOptions."""
    notes = tmp_path_factory.mktemp("notes")
    lsp_client.root = copy_workspace(tmp_path_factory)
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("neovim"),
        workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(notes)), name="notes"),
                           types.WorkspaceFolder(uri=from_fs_path(str(lsp_client.root)), name="film")],
        initialization_options={"keys": {"replicate": "r8_" + "0" * 37}}))
    yield
    await asyncio.wait_for(lsp_client.shutdown_session(), 5.0)


async def test_the_folder_that_is_a_project_is_served(two_folders):
    """Of several folders, the one holding cinefile.toml is opened; keys given at start are
    kept for the session (and listed by provider, never shown)."""
    client = two_folders
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="logline"))
    assert found[0].location.uri.endswith("story/logline.md")
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="cinefile.setKeys", arguments=[{"openrouter": "sk-or-v1-" + "1" * 48}]))
    assert result == {"keys": ["openrouter", "replicate"]}


async def test_a_failing_handler_is_answered_and_the_server_keeps_running(two_folders):
    """An edit to a document never opened breaks that notification only: the error is
    reported and logged, and the next request is answered as usual."""
    client = two_folders
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=from_fs_path(str(client.root / "ghost.md")), version=2),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=9, character=0), end=types.Position(line=9, character=4)), text="x")]))
    await until(lambda: any(m.type == types.MessageType.Error for m in client.messages), what="the error to be reported")
    with pytest.raises(Exception, match="not a valid id"):
        await client.text_document_rename_async(types.RenameParams(
            text_document=types.TextDocumentIdentifier(uri=open_block(client, "story/logline.md")),
            position=types.Position(line=0, character=0), new_name="Not Valid"))
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="ramp"))
    assert found[0].location.uri.endswith("story/scene-1.md")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def frame(message: dict) -> bytes:
    body = json.dumps(message).encode()
    return f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def read_frame(stream) -> dict:
    length = 0
    while (line := stream.readline()) not in (b"\r\n", b""):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(stream.read(length))


async def test_tcp_and_a_prompt_exit_on_shutdown(tmp_path_factory):
    """`cinefile lsp --tcp PORT` serves a client on that port; after shutdown and exit the
    process ends (the watcher is stopped) with status 0."""
    root = copy_workspace(tmp_path_factory)
    port = free_port()
    process = subprocess.Popen([*SERVER, "--tcp", str(port)], env=SERVER_ENV, stderr=subprocess.PIPE)
    try:
        connection = await until(lambda: _connect(port), what="the server to listen")
        stream = connection.makefile("rwb")
        stream.write(frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "processId": None, "capabilities": {}, "workspaceFolders": [{"uri": from_fs_path(str(root)), "name": "film"}]}}))
        stream.flush()
        assert read_frame(stream)["result"]["capabilities"]["hoverProvider"]
        for message in ({"jsonrpc": "2.0", "method": "initialized", "params": {}},
                        {"jsonrpc": "2.0", "id": 2, "method": "workspace/symbol", "params": {"query": "logline"}}):
            stream.write(frame(message))
        stream.flush()
        while "id" not in (answer := read_frame(stream)) or answer["id"] != 2:
            continue  # notifications come first
        assert answer["result"][0]["name"] == "Night Ferry"
        stream.write(frame({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}))
        stream.flush()
        while "id" not in (answer := read_frame(stream)) or answer["id"] != 3:
            continue
        stream.write(frame({"jsonrpc": "2.0", "method": "exit"}))
        stream.flush()
        await until(lambda: process.poll() is not None, what="the server to exit")
        assert process.returncode == 0
        connection.close()
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        process.stderr.close()


def _connect(port: int):
    try:
        return socket.create_connection(("127.0.0.1", port), timeout=5)
    except OSError:
        return None
