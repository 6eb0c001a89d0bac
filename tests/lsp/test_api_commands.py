"""Every project API operation reaches the editor too: questions as JSON, changes as
WorkspaceEdits. The answers are the command line's (`--json`), built by the same functions."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams


def run(client, command: str, *arguments):
    return client.workspace_execute_command_async(types.ExecuteCommandParams(command=command, arguments=list(arguments)))


def cli_json(client, *args: str):
    done = subprocess.run([sys.executable, "-m", "cinefile", *args, "--json"], cwd=client.root, capture_output=True, text=True)
    return json.loads(done.stdout)


@pytest.mark.parametrize("command, arguments, cli", [
    ("cinefile.show", ["shot-1a"], ["show", "shot-1a"]),
    ("cinefile.impact", ["mara-raincoat"], ["impact", "mara-raincoat"]),
    ("cinefile.list", [{"type": "shot", "state": "stale"}], ["list", "--type", "shot", "--state", "stale"]),
    ("cinefile.history", ["scene-1"], ["history", "scene-1"]),
    ("cinefile.cost", [], ["cost"]),
])
async def test_questions_answer_what_the_command_line_prints(client, command, arguments, cli):
    assert await run(client, command, *arguments) == cli_json(client, *cli)


async def test_status_and_models_answer(client):
    status = await run(client, "cinefile.status")
    assert status["project"] == "Night Ferry" and {s["id"] for s in status["stale"]} >= {"shot-1a"}
    models = await run(client, "cinefile.models", {"kind": "text"})
    assert models["notes"] and all(m["kind"] == "text" for m in models["models"])


async def test_diff_between_two_versions(client):
    path = client.root / "design/ferry-deck.md"
    path.write_text(path.read_text() + "\nGulls on the rail.\n")
    await run(client, "cinefile.sync")
    version = len(await run(client, "cinefile.history", "ferry-deck"))
    diff = (await run(client, "cinefile.diff", "ferry-deck", version - 1, version))["diff"]
    assert diff.startswith(f"--- design/ferry-deck.md (v{version - 1})") and "+Gulls on the rail." in diff


@pytest.mark.parametrize("command, arguments, message", [
    ("cinefile.show", [], "cinefile.show: expected [id or path]"),
    ("cinefile.diff", ["scene-1", "one"], "cinefile.diff: expected [id, from version, optional to version]"),
    ("cinefile.list", [{"colour": "red"}], "cinefile.list: expected optional"),
    ("cinefile.show", ["scene-l"], "no block `scene-l`"),
])
async def test_wrong_arguments_are_one_line(client, command, arguments, message):
    with pytest.raises(JsonRpcInvalidParams, match=message.replace("[", r"\[").replace("]", r"\]")):
        await run(client, command, *arguments)


async def test_new_depend_and_undo_edit_through_the_editor(client):
    created = await run(client, "cinefile.new", "shot", "shot-7", {"parent": "scene-2", "title": "The door"})
    assert created == {"created": "shooting/shot-7.md"}
    assert "parent: scene-2" in (client.root / "shooting/shot-7.md").read_text()
    await run(client, "cinefile.sync")
    await run(client, "cinefile.depend", "shot-7", "wheelhouse", "set_in")
    assert "- id: wheelhouse\n  type: set_in\n" in (client.root / "shooting/shot-7.md").read_text()
    await run(client, "cinefile.sync")
    before = (client.root / "design/wheelhouse.md").read_text()
    (client.root / "design/wheelhouse.md").write_text(before + "\nA new line.\n")
    await run(client, "cinefile.sync")
    assert await run(client, "cinefile.undo", "wheelhouse") == {"applied": True}
    assert (client.root / "design/wheelhouse.md").read_text() == before
