"""Diagnostics: the core's checks with their ranges, links, missing fields, staleness on
the dependency entry with its chain, and updates from other buffers and from the disk."""

from __future__ import annotations

import asyncio

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from .conftest import (SERVER, SERVER_ENV, close_block, codes, copy_workspace, diagnostics_where, open_block, replace_text, start,
                       units, until, uri_for)

BROKEN = """---
type: shot
title: Broken 🌊 shot
parent: scene-1-breakdown
size: wide
dependencies: [{id: mara, note: 🌊🌊}, ghost-ship]
---
Nothing here yet.
"""


async def test_stale_dependency_is_reported_on_the_entry_that_changed(client):
    """scene-1 was made from mara-raincoat, which changed since: the warning sits on that
    dependency entry, gives the chain, and points to the costume's file."""
    uri = open_block(client, "story/scene-1.md")
    found = await diagnostics_where(client, uri, lambda d: "stale" in codes(d))
    stale = next(d for d in found if d.code == "stale")
    assert stale.severity == types.DiagnosticSeverity.Warning
    line = (client.root / "story/scene-1.md").read_text().splitlines()[stale.range.start.line]
    assert line[stale.range.start.character:stale.range.end.character] == "mara-raincoat"
    assert "mara-raincoat changed" in stale.message and "mara-raincoat → scene-1" in stale.message
    assert stale.related_information[0].location.uri == uri_for(client, "design/mara-raincoat.md")
    close_block(client, uri)


async def test_indirectly_stale_block_warns_on_the_dependency_between(client):
    """shot-1a is stale through scene-1-breakdown (parent) and scene-1: the warning is on
    the `parent:` entry it reaches the change through, and the chain names every step."""
    uri = open_block(client, "shooting/shot-1a.md")
    found = await diagnostics_where(client, uri, lambda d: "stale" in codes(d))
    stale = next(d for d in found if d.code == "stale")
    assert "mara-raincoat → scene-1 → scene-1-breakdown → shot-1a" in stale.message
    assert stale.range.start.line == 3  # parent: scene-1-breakdown
    close_block(client, uri)


async def test_core_checks_have_exact_ranges_in_the_negotiated_encoding(client):
    """An unknown id after emoji on the same line is underlined exactly, in UTF-16 for
    VS Code and UTF-8 for Neovim; the missing fields of a shot are reported too."""
    uri = open_block(client, "shooting/shot-9.md", BROKEN)
    found = await diagnostics_where(client, uri, lambda d: "unknown-ref" in codes(d))
    unknown = next(d for d in found if d.code == "unknown-ref")
    line = BROKEN.splitlines()[5]
    start = units(client, line[:line.index("ghost-ship")])
    assert (unknown.range.start.line, unknown.range.start.character) == (5, start)
    assert unknown.range.end.character == start + len("ghost-ship")
    assert "names no block" in unknown.message
    missing = sorted(d.message for d in found if d.code == "missing-field")
    assert len(missing) == 4 and "`angle`" in missing[0]
    close_block(client, uri)


async def test_a_broken_file_affects_only_its_own_diagnostics(client):
    """Broken YAML in one buffer is one error there; a block that names it keeps its own."""
    broken = open_block(client, "design/mara.md", "---\ntype: character\ntitle: [unclosed\n---\nMara\n")
    found = await diagnostics_where(client, broken, lambda d: "yaml" in codes(d))
    assert found[0].severity == types.DiagnosticSeverity.Error and found[0].range.start.line >= 1
    other = open_block(client, "design/wheelhouse.md")
    assert not await diagnostics_where(client, other, lambda d: len(d) == 0)
    close_block(client, broken)
    close_block(client, other)


async def test_an_unsaved_edit_updates_the_dependents_diagnostics(client):
    """Editing mara-raincoat back in an open buffer, unsaved, takes the stale warning off
    the open scene that depends on it; editing it again puts it back."""
    scene = open_block(client, "story/scene-1.md")
    await diagnostics_where(client, scene, lambda d: "stale" in codes(d))
    costume_path = client.root / "design/mara-raincoat.md"
    original = costume_path.read_text()
    restored = original.replace(" The left cuff is torn and mended with orange fishing line.", "")  # as reviewed
    assert restored != original, "the workspace's costume should carry its later edit"
    costume = open_block(client, "design/mara-raincoat.md")
    replace_text(client, costume, restored, 2)
    await diagnostics_where(client, scene, lambda d: "stale" not in codes(d), "the stale warning to go")
    replace_text(client, costume, original, 3)
    await diagnostics_where(client, scene, lambda d: "stale" in codes(d), "the stale warning to come back")
    assert costume_path.read_text() == original  # never saved
    close_block(client, costume)
    close_block(client, scene)


async def test_a_change_on_disk_reaches_diagnostics(client):
    """A file written by another program (git, the CLI) changes the diagnostics of the
    open blocks that name it."""
    uri = open_block(client, "story/beat-2-storm.md")
    await diagnostics_where(client, uri, lambda d: "stale" not in codes(d))
    ilse = client.root / "design/captain-ilse.md"
    ilse.write_text(ilse.read_text() + "\nShe hums sea shanties off key.\n")
    found = await diagnostics_where(client, uri, lambda d: "stale" in codes(d), "staleness from the disk change")
    assert "captain-ilse changed" in next(d for d in found if d.code == "stale").message
    close_block(client, uri)


async def test_closing_a_buffer_clears_its_diagnostics(client):
    """A closed block's diagnostics are withdrawn (push clients)."""
    uri = open_block(client, "shooting/shot-9.md", BROKEN)
    await diagnostics_where(client, uri, lambda d: len(d) > 0)
    close_block(client, uri)
    await diagnostics_where(client, uri, lambda d: len(d) == 0, "diagnostics to be cleared")


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(server_command=SERVER, server_env=SERVER_ENV))
async def pull_client(lsp_client: LanguageClient, tmp_path_factory):
    """Neovim's capabilities plus `workspace/diagnostic/refresh`: a client that pulls."""
    capabilities = client_capabilities("neovim")
    capabilities.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    lsp_client.root = copy_workspace(tmp_path_factory)
    await start(lsp_client, "neovim", lsp_client.root, capabilities=capabilities)
    yield
    await asyncio.wait_for(lsp_client.shutdown_session(), 5.0)


async def pull(client: LanguageClient, uri: str, previous: str | None = None):
    return await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
        text_document=types.TextDocumentIdentifier(uri=uri), previous_result_id=previous))


async def test_clients_that_pull_get_reports_and_are_asked_to_pull_again(pull_client):
    """A pulling client gets a full report, `unchanged` when nothing changed, and a refresh
    request when another buffer changes its blocks' state; nothing is pushed to it."""
    client = pull_client
    scene = open_block(client, "story/scene-1.md")
    report = await pull(client, scene)
    assert "stale" in codes(report.items)
    assert (await pull(client, scene, report.result_id)).kind == "unchanged"
    original = (client.root / "design/mara-raincoat.md").read_text()
    costume = open_block(client, "design/mara-raincoat.md")
    before = client.diagnostic_refresh_count
    replace_text(client, costume, original.replace(" The left cuff is torn and mended with orange fishing line.", ""), 2)
    await until(lambda: client.diagnostic_refresh_count > before, what="a diagnostic refresh request")
    assert "stale" not in codes((await pull(client, scene, report.result_id)).items)
    assert scene not in client.diagnostics


async def test_a_linked_asset_not_here_is_a_warning_on_its_line_saying_how_to_get_it(client):
    """Not broken: in a clone whose media live elsewhere, or deleted; the warning sits on the
    hash in the `assets` list."""
    sha = "cd" * 32
    text = f"---\ntype: character\ntitle: Nils\nassets:\n- sha256: {sha}\n  role: still\n---\nNils.\n"
    uri = open_block(client, "design/nils.md", text)
    found = await diagnostics_where(client, uri, lambda d: "asset-not-here" in codes(d))
    missing = next(d for d in found if d.code == "asset-not-here")
    assert missing.severity == types.DiagnosticSeverity.Warning and missing.range.start.line == 4
    line = text.splitlines()[4]
    assert missing.range.start.character == units(client, line[:line.index(sha)])
    assert f"asset {sha[:12]}… (still) is not in assets/ here" in missing.message
    close_block(client, uri)
