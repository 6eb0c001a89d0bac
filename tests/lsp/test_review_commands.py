"""Marking up to date and approving in the editor: `cinefile.markFresh`, `cinefile.approve` and
their code actions compute the project API's changes from the open buffer, and send them as edits."""

from __future__ import annotations

import pytest
from cinefile.format.edit import set_field
from cinefile.format.hashing import short_hash
from cinefile.format.parse import parse_block, parse_text
from lsprotocol import types

from .conftest import apply_text_edits, close_block, codes, diagnostics_where, open_block

STILL, VIDEO, AUDIO = "a" * 64, "c" * 64, "d" * 64


def run(client, command: str, *arguments):
    return client.workspace_execute_command_async(types.ExecuteCommandParams(command=command, arguments=list(arguments)))


async def actions_for(client, uri: str) -> dict[str, types.CodeAction]:
    found = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=types.Range(start=types.Position(line=0, character=0),
                                                                                 end=types.Position(line=0, character=0)),
        context=types.CodeActionContext(diagnostics=[])))
    return {action.title: action for action in found or []}


def edited(text: str, action: types.CodeAction) -> str:
    """The buffer's text once the action's edit is applied to it, as the editor would."""
    edit = action.edit
    edits = [e for edits in (edit.changes or {}).values() for e in edits]
    edits += [e for change in edit.document_changes or [] for e in change.edits]
    return apply_text_edits(text, edits)


def saved_hash(client, rel: str) -> str:
    return short_hash(parse_block(rel, (client.root / rel).read_bytes()).content_hash)


async def test_mark_fresh_records_the_saved_inputs_not_an_unsaved_buffer(client):
    """An unsaved edit of the raincoat is not what scene-1 is marked up to date with: the
    record is read against the files, so it holds the raincoat as saved."""
    raincoat = "design/mara-raincoat.md"
    saved = (client.root / raincoat).read_text()
    buffer = open_block(client, raincoat, saved + "\nA hood, now.\n")
    unsaved = short_hash(parse_text(raincoat, saved + "\nA hood, now.\n").content_hash)
    assert (await run(client, "cinefile.markFresh", "scene-1"))["applied"] is True
    record = parse_text("story/scene-1.md", (client.root / "story/scene-1.md").read_text()).record
    assert record["mara-raincoat"] == saved_hash(client, raincoat) != unsaved
    close_block(client, buffer)
    scene = open_block(client, "story/scene-1.md")
    await diagnostics_where(client, scene, lambda d: "stale" not in codes(d), "scene-1 to be fresh")
    close_block(client, scene)


async def test_mark_up_to_date_reads_the_blocks_inputs_from_its_buffer(client):
    """A dependency added in the buffer, not saved: the action records it too."""
    rel = "story/scene-2.md"
    saved = (client.root / rel).read_text()
    text = saved.replace("  - {id: brass-compass, type: appears_in}\n",
                         "  - {id: brass-compass, type: appears_in}\n  - {id: style-guide, type: styled_by}\n")
    uri = open_block(client, rel, text)
    await diagnostics_where(client, uri, lambda d: "stale" in codes(d), "the added dependency to make it stale")
    actions = await actions_for(client, uri)
    close_block(client, uri)
    record = parse_text(rel, edited(text, actions["Mark up to date"])).record
    assert record["style-guide"] == saved_hash(client, "design/style-guide.md")
    assert (client.root / rel).read_text() == saved  # an edit for the editor, not a write


async def test_approve_command_approves_the_newest_still_then_has_nothing_to_do(client):
    """[id]: the still waiting is approved; asked again, nothing waits, and that is no error."""
    reply = await run(client, "cinefile.approve", "shot-2a")
    assert reply["applied"] is True and reply["approved"]["role"] == "still"
    assert reply["approved"]["sha256"].startswith("d220355a")
    assert "approved: true" in (client.root / "shooting/shot-2a.md").read_text()
    again = await run(client, "cinefile.approve", "shot-2a")
    assert again["applied"] is False and again["approved"]["already"] is True
    assert "is approved already: nothing to do" in again["approved"]["message"]


async def test_approve_command_takes_a_hash_and_a_kind(client):
    """[id, sha256, kind]: a kind with nothing to approve, or a hash that names none, is an
    error that says so."""
    with pytest.raises(Exception, match="`shot-2a` has no video to approve: generate one first"):
        await run(client, "cinefile.approve", "shot-2a", None, "video")
    with pytest.raises(Exception, match="no generated asset starts with ffff"):
        await run(client, "cinefile.approve", "shot-2a", "ffff")
    with pytest.raises(Exception, match="--kind picture: unknown"):
        await run(client, "cinefile.approve", "shot-2a", None, "picture")


async def test_approve_actions_for_each_asset_waiting_whatever_its_kind(client):
    """A video and an audio waiting (in the buffer): one action each; approving the video
    leaves the approved still approved."""
    rel = "shooting/shot-1a.md"
    text = set_field((client.root / rel).read_text(), "assets", [
        {"sha256": STILL, "role": "still", "approved": True}, {"sha256": VIDEO, "role": "video", "approved": False},
        {"sha256": AUDIO, "role": "audio", "approved": False}])
    uri = open_block(client, rel, text)
    actions = await actions_for(client, uri)
    close_block(client, uri)
    assert {t for t in actions if t.startswith("Approve")} == {"Approve video cccccccc", "Approve audio dddddddd"}
    assets = parse_text(rel, edited(text, actions["Approve video cccccccc"])).frontmatter["assets"]
    assert [a["approved"] for a in assets] == [True, True, False]
