"""`workspace/executeCommand`: sync, mark up to date, approve, export, and API keys for the
session only (in memory: never in a file, the index or a log)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from lsprotocol import types

from .conftest import codes, diagnostics_where, open_block, close_block


def run(client, command: str, *arguments):
    return client.workspace_execute_command_async(types.ExecuteCommandParams(command=command, arguments=list(arguments)))


async def test_the_commands_are_advertised(client):
    """Every command is in the server's capabilities, for the editor's command palette."""
    advertised = set(client.server_capabilities.execute_command_provider.commands)
    assert advertised == {"cinefile.sync", "cinefile.generate", "cinefile.markFresh", "cinefile.approve", "cinefile.export",
                          "cinefile.setKeys", "cinefile.blocks", "cinefile.import", "cinefile.status",
                          "cinefile.list", "cinefile.show", "cinefile.impact", "cinefile.history", "cinefile.diff",
                          "cinefile.models", "cinefile.cost", "cinefile.new", "cinefile.depend", "cinefile.undo"}


async def test_blocks_lists_every_block_for_a_tree_view(client):
    """cinefile.blocks gives each block's phase, state and assets, plus mode and spend."""
    reply = await run(client, "cinefile.blocks")
    assert reply["root"] == str(client.root) and reply["mode"] == "draft" and reply["spent_usd"] >= 0
    by_id = {b["id"]: b for b in reply["blocks"]}
    assert by_id["logline"]["phase"] == "Story" and by_id["mara"]["phase"] == "Design"
    assert by_id["shot-1a"]["state"] == "stale" and "mara-raincoat changed" in by_id["shot-1a"]["stale_reason"]
    assert by_id["shot-2a"]["state"] == "unreviewed" and by_id["mara"]["state"] == "fresh"
    order = [b["id"] for b in reply["blocks"]]  # story order: each block after its parent
    assert order.index("act-1") < order.index("beat-1") < order.index("scene-1") < order.index("scene-1-breakdown") \
        < order.index("shot-1a") < order.index("beat-2")
    assert all(order.index(b["parent"]) < order.index(b["id"]) for b in reply["blocks"] if b["parent"] in by_id)
    with_assets = [b for b in reply["blocks"] if b["assets"]]
    assert with_assets and all(b["generated"] for b in with_assets)


async def test_the_command_line_snapshot_is_the_servers(client):
    """`cinefile snapshot` prints what cinefile.blocks answers: one function builds both."""
    reply = await run(client, "cinefile.blocks")
    printed = subprocess.run([sys.executable, "-m", "cinefile", "snapshot"], cwd=client.root, capture_output=True, text=True)
    assert printed.returncode == 0, printed.stderr
    assert json.loads(printed.stdout) == reply


async def test_sync_reports_what_changed(client):
    """cinefile.sync indexes a file written behind the server's back and says so."""
    (client.root / "design/lantern.md").write_text("---\ntype: prop\ntitle: Storm lantern\n---\nA lantern.\n")
    report = await run(client, "cinefile.sync")
    assert set(report) >= {"added", "modified", "removed", "renamed"}
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="storm lantern"))
    assert found and found[0].name == "Storm lantern"


async def test_mark_fresh_edits_through_the_editor(client):
    """cinefile.markFresh [ids] sends the new `generated.from` of each as one edit; applied
    and saved, shot-1b and the chain it was stale through are fresh."""
    before = len(client.applied_edits)
    assert (await run(client, "cinefile.markFresh", "scene-1", "scene-1-breakdown", "shot-1b"))["applied"] is True
    assert len(client.applied_edits) == before + 1
    uri = open_block(client, "shooting/shot-1b.md")
    await diagnostics_where(client, uri, lambda d: "stale" not in codes(d), "shot-1b to be fresh")
    close_block(client, uri)


async def test_approve_without_a_still_says_what_to_do(client):
    """Approving a block with no still is an error that says to generate one."""
    with pytest.raises(Exception, match="`mara` has no still to approve: generate one first"):
        await run(client, "cinefile.approve", "mara")


async def test_export_writes_the_exports(client):
    """cinefile.export writes exports/project_summary.md and exports/project.json."""
    result = await run(client, "cinefile.export")
    assert sorted(p.rsplit("/", 1)[-1] for p in result["written"]) == ["project.json", "project_summary.md"]
    assert (client.root / "exports/project.json").is_file()


async def test_keys_are_kept_for_the_session_only(client):
    """cinefile.setKeys answers with the providers it holds keys for, never the keys, and the
    keys reach no file of the project."""
    secret = "sk-or-v1-" + "feedface" * 6
    result = await run(client, "cinefile.setKeys", {"openrouter": secret})
    assert result == {"keys": ["openrouter"]}
    for path in client.root.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path
    assert not any(secret in message.message for message in client.log_messages)
    with pytest.raises(Exception, match="expected"):
        await run(client, "cinefile.setKeys", "not a mapping")
