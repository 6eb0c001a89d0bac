"""Generation from the editor, in mock mode (no API keys): the actions with their cost,
text the person wrote kept unless they pick "replacing your text", stills before video, the
`cinefile.generate` command end to end (progress, the edit applied, the asset written, the
block fresh), and cancellation."""

from __future__ import annotations

import ast
import asyncio
import contextlib
import sqlite3

import pytest
from lsprotocol import types

from .conftest import close_block, codes, diagnostics_where, open_block, until


async def actions(client, uri: str) -> list[types.CodeAction]:
    found = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=types.Range(
            start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
        context=types.CodeActionContext(diagnostics=[])))
    return list(found or [])


def arguments_of(action) -> list:
    """A code action's command arguments. The test client reads a CodeAction that carries a
    command as a Command whose `command` is that command's dict, printed: read it back."""
    if isinstance(action, types.CodeAction):
        return list(action.command.arguments)
    return list(ast.literal_eval(action.command)["arguments"])


async def titles(client, uri: str) -> list[str]:
    return [action.title for action in await actions(client, uri)]


def generate(client, *arguments):
    return client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="cinefile.generate", arguments=list(arguments)))


async def test_actions_offer_draft_and_final_with_their_cost(client):
    """A scene offers its text in draft and final and its dialogue; a shot offers a still
    but no video until a still is approved. scene-2's text was written by hand, so its text
    actions say they replace it, and ask the command to."""
    scene = open_block(client, "story/scene-2.md")
    found = {action.title: action for action in await actions(client, scene)}
    draft = found["Generate scene (draft), replacing your text · mock, free"]
    assert "Generate scene (final), replacing your text · mock, free" in found
    assert arguments_of(draft) == ["scene-2", "text", "draft", {"overwrite": True}]
    assert not any(title.startswith("Generate scene (draft) ·") for title in found)
    assert "Generate audio (dialogue) (draft) · mock, free" in found
    close_block(client, scene)
    shot = open_block(client, "shooting/shot-1b.md")
    found = await titles(client, shot)
    assert "Generate still (draft) · mock, free" in found and "Generate audio (ambience) (draft) · mock, free" in found
    assert not any(title.startswith("Generate video") for title in found)
    close_block(client, shot)


async def test_a_template_body_is_offered_plainly(client):
    """The buffer decides: scene-2 open with its new-block template for a body offers plain
    text generation, whatever the file on disk holds."""
    path = client.root / "story/scene-2.md"
    head = path.read_text().split("\n---\n", 1)[0]
    scene = open_block(client, "story/scene-2.md", head + "\n---\n# The Storm\n\nOne continuous scene: where and when, action and dialogue.\n")
    found = {action.title: action for action in await actions(client, scene)}
    assert arguments_of(found["Generate scene (draft) · mock, free"]) == ["scene-2", "text", "draft"]
    close_block(client, scene)


async def test_hand_written_text_is_kept_unless_asked(client):
    """cinefile.generate on scene-1, whose text a person wrote: skipped, no edit, the file as
    it was, and a warning that says why and what to do."""
    path = client.root / "story/scene-1.md"
    before_text, before_edits = path.read_text(), len(client.applied_edits)
    result = await generate(client, "scene-1", "text", "draft")
    assert result["status"] == "skipped" and result["kept_text"] is True
    assert "kept: its text was written by hand" in result["message"]
    assert len(client.applied_edits) == before_edits and path.read_text() == before_text
    await until(lambda: any("scene-1: kept: its text was written by hand" in m.message and "replacing your text" in m.message
                            for m in client.messages), what="the warning")


async def test_generating_text_applies_an_edit_and_makes_the_block_fresh(client):
    """cinefile.generate on stale scene-1, replacing its text as asked: progress begins and
    ends, the new body comes as a WorkspaceEdit, and once the editor has applied and saved
    it, scene-1 is fresh."""
    before = len(client.applied_edits)
    result = await generate(client, "scene-1", "text", "draft", {"overwrite": True})
    assert result["status"] == "done" and result["mode"] == "draft"
    assert len(client.applied_edits) == before + 1
    text = (client.root / "story/scene-1.md").read_text()
    assert "generated:" in text and "mode: draft" in text and "Rain sheets" not in text
    kinds = [type(report).__name__ for reports in client.progress_reports.values() for report in reports]
    assert "WorkDoneProgressBegin" in kinds and "WorkDoneProgressEnd" in kinds
    uri = open_block(client, "story/scene-1.md")
    await diagnostics_where(client, uri, lambda d: "stale" not in codes(d), "scene-1 to be fresh")
    close_block(client, uri)


async def test_generating_a_still_writes_the_asset_and_links_it(client):
    """A still for shot-1b: the PNG lands in assets/, the block lists it (not approved) and
    embeds it; then the approve action and video generation become available."""
    result = await generate(client, "shot-1b", "image", "draft")
    assert result["status"] == "done"
    (sha,) = result["assets"]
    assert list((client.root / "assets").glob(f"{sha}.*"))
    text = (client.root / "shooting/shot-1b.md").read_text()
    assert f"sha256: {sha}" in text and "approved: false" in text and f"](../assets/{sha}." in text
    uri = open_block(client, "shooting/shot-1b.md")
    await _titles_when(client, uri, lambda found: f"Approve still {sha[:8]}" in found)
    close_block(client, uri)
    await client.workspace_execute_command_async(types.ExecuteCommandParams(command="cinefile.approve", arguments=["shot-1b"]))
    assert "approved: true" in (client.root / "shooting/shot-1b.md").read_text()
    uri = open_block(client, "shooting/shot-1b.md")
    found = await _titles_when(client, uri, lambda t: any(x.startswith("Generate video") for x in t))
    assert "Generate video (draft) · mock, free" in found
    close_block(client, uri)


async def _titles_when(client, uri, predicate):
    """Code action titles once the watcher has indexed the latest save."""
    latest: list[str] = []

    async def check():
        latest[:] = await titles(client, uri)
        return predicate(latest)

    deadline = asyncio.get_running_loop().time() + 10
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, f"timed out; titles: {latest}"
        await asyncio.sleep(0.02)
    return latest


async def test_cancelling_leaves_the_block_untouched(client):
    """Cancelling from the progress notification (the editor's cancel button) while a video
    renders: the command says cancelled, no edit is sent, the file is as it was."""
    path = client.root / "shooting/shot-1b.md"
    await until(lambda: "approved: true" in path.read_text(), what="the still approved by the previous test")
    before_text, before_edits = path.read_text(), len(client.applied_edits)
    seen = set(client.progress_reports)
    task = asyncio.ensure_future(generate(client, "shot-1b", "video", "draft"))
    token = await until(lambda: next(iter(set(client.progress_reports) - seen), None), what="progress to begin")
    client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    result = await task
    assert result["status"] == "cancelled"
    assert len(client.applied_edits) == before_edits and path.read_text() == before_text
    assert client.progress_reports[token][-1].message == "cancelled"


async def test_a_cancel_request_stops_the_command_not_just_its_reply(client):
    """`$/cancelRequest` on the generate command (Emacs sends one on C-g): the editor gets the
    cancelled reply, and the work itself stops too, so nothing is written or applied."""
    path = client.root / "shooting/shot-1b.md"
    await until(lambda: "approved: true" in path.read_text(), what="the still approved by an earlier test")
    # A new line in the shot makes a new request: the video cancelled above is in the cache.
    indexed = _content_hash(client.root, "shot-1b")
    path.write_text(path.read_text() + "\nThe ferry horn sounds twice.\n")
    await until(lambda: _content_hash(client.root, "shot-1b") != indexed, what="the edit to be indexed")
    before_text, before_edits = path.read_text(), len(client.applied_edits)
    seen = set(client.progress_reports)
    params = types.ExecuteCommandParams(command="cinefile.generate", arguments=["shot-1b", "video", "draft"])
    reply = asyncio.ensure_future(client.protocol.send_request_async(types.WORKSPACE_EXECUTE_COMMAND, params,
                                                                     msg_id="generate-to-cancel"))
    token = await until(lambda: next(iter(set(client.progress_reports) - seen), None), what="progress to begin")
    client.protocol.notify(types.CANCEL_REQUEST, types.CancelParams(id="generate-to-cancel"))
    with pytest.raises(Exception, match="cancel"):
        await reply
    ends = lambda: [r for r in client.progress_reports[token] if type(r).__name__ == "WorkDoneProgressEnd"]  # noqa: E731
    (end,) = await until(ends, what="the work to end")
    assert end.message == "cancelled"
    await asyncio.sleep(0.3)  # time for a generation that went on regardless to write its edit
    assert len(client.applied_edits) == before_edits and path.read_text() == before_text


def _content_hash(root, block_id: str) -> str | None:
    with contextlib.closing(sqlite3.connect(f"file:{root / 'project.db'}?mode=ro", uri=True)) as db:
        row = db.execute("SELECT content_hash FROM blocks WHERE key = ?", [block_id]).fetchone()
    return row[0] if row else None


async def test_bad_arguments_are_an_error_that_says_what_to_pass(client):
    """An unknown kind or block is a request error with the expected arguments."""
    with pytest.raises(Exception, match="expected"):
        await generate(client, "scene-1", "poem", "draft")
    with pytest.raises(Exception, match="no block `nobody`"):
        await generate(client, "nobody", "text", "draft")
