"""Code actions: quick fixes for misspelt ids and types, creating a missing block from its
type's template, adding a mentioned block to `dependencies`, marking a block up to date,
approving a still. Each is a WorkspaceEdit; applied, it does what its title says."""

from __future__ import annotations

from lsprotocol import types

from .conftest import (apply_workspace_edit, close_block, codes, diagnostics_where, open_block, position_of,
                       uri_for)


async def actions_at(client, uri: str, position: types.Position) -> dict[str, types.CodeAction]:
    found = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=types.Range(start=position, end=position),
        context=types.CodeActionContext(diagnostics=[])))
    return {action.title: action for action in found or []}


async def actions_in(client, rel: str, text: str, needle: str, offset: int) -> tuple[str, dict[str, types.CodeAction]]:
    """The actions at `needle` in a buffer holding `text`, opened for the request."""
    uri = open_block(client, rel, text)
    actions = await actions_at(client, uri, position_of(client, text, needle, offset))
    close_block(client, uri)
    return uri, actions


def edits_of(edit: types.WorkspaceEdit, uri: str) -> list[types.TextEdit]:
    """The text edits for `uri`, whichever form the client asked for."""
    if edit.changes:
        return list(edit.changes[uri])
    return [e for change in edit.document_changes if change.text_document.uri == uri for e in change.edits]


async def test_closest_type_for_a_misspelt_one(client):
    """`type: shoot` offers `shot`, as the preferred fix, replacing just the value."""
    _, actions = await actions_in(client, "shooting/shot-8.md", "---\ntype: shoot\n---\n", "shoot", 2)
    fix = actions["Change type to `shot`"]
    assert fix.is_preferred and fix.kind == types.CodeActionKind.QuickFix


async def test_closest_id_for_a_misspelt_one(client):
    """`marra` offers `mara`; the edit replaces exactly the misspelt id."""
    text = "---\ntype: shot\nparent: scene-1\ndependencies: [marra, wheelhouse]\n---\n"
    uri, actions = await actions_in(client, "shooting/shot-8.md", text, "marra", 1)
    edits = edits_of(actions["Change to `mara`"].edit, uri)
    assert edits[0].new_text == "mara" and edits[0].range.start == position_of(client, text, "marra")


async def test_create_missing_block_from_the_types_template(client):
    """An unknown id offers to create it, as each likely type, through CreateFile (where the
    client can create files). Once created, the reference is no longer unknown."""
    text = "---\ntype: scene\ntitle: Fog\nparent: beat-1\nint_ext: EXT\ntime_of_day: DAWN\ndependencies:\n  - {id: harbour-wall, type: set_in}\n---\n"
    uri = open_block(client, "story/scene-3.md", text)
    actions = await actions_at(client, uri, position_of(client, text, "harbour-wall", 1))
    create = actions.get("Create missing block `harbour-wall` (location, design/harbour-wall.md)")
    if not client.capabilities.workspace.workspace_edit.document_changes:
        assert create is None  # this client cannot create files through an edit
        close_block(client, uri)
        return
    kinds = [type(change).__name__ for change in create.edit.document_changes]
    assert kinds == ["CreateFile", "TextDocumentEdit"]
    apply_workspace_edit(create.edit)
    created = (client.root / "design/harbour-wall.md").read_text()
    assert created.startswith("---\ntype: location\ntitle: Harbour wall\n---\n")
    await diagnostics_where(client, uri, lambda d: "unknown-ref" not in codes(d), "the new block to be found")
    close_block(client, uri)


async def test_add_a_mentioned_block_to_dependencies(client):
    """A block named in the body (WHEELHOUSE) but not listed: add it, in the file's list style."""
    text = "---\ntype: shot\nparent: scene-2\ndependencies: [captain-ilse]\n---\nThe WHEELHOUSE door bangs.\n"
    uri, actions = await actions_in(client, "shooting/shot-2b.md", text, "WHEELHOUSE", 3)
    edits = edits_of(actions["Add `wheelhouse` to dependencies"].edit, uri)
    assert len(edits) == 1 and edits[0].new_text == ", wheelhouse"
    _, elsewhere = await actions_in(client, "shooting/shot-2b.md", text, "door", 1)
    assert not any(title.startswith("Add") for title in elsewhere)


async def test_mark_up_to_date_makes_the_block_and_its_dependents_fresh(client):
    """Mark up to date on scene-1 records the costume's current hash; applied and saved,
    scene-1 is fresh, and so are the shots made from it."""
    uri = open_block(client, "story/scene-1.md")
    await diagnostics_where(client, uri, lambda d: "stale" in codes(d))
    actions = await actions_at(client, uri, types.Position(line=0, character=0))
    close_block(client, uri)
    apply_workspace_edit(actions["Mark up to date"].edit)
    scene = open_block(client, "story/scene-1.md")
    await diagnostics_where(client, scene, lambda d: "stale" not in codes(d), "scene-1 to be fresh")
    shot = open_block(client, "shooting/shot-1a.md")
    await diagnostics_where(client, shot, lambda d: "stale" not in codes(d), "shot-1a to be fresh")
    close_block(client, scene)
    close_block(client, shot)


async def test_approve_still(client):
    """shot-2a has a still waiting: approving it sets `approved: true` in its asset entry."""
    uri = open_block(client, "shooting/shot-2a.md")
    actions = await actions_at(client, uri, types.Position(line=1, character=0))
    title = next(t for t in actions if t.startswith("Approve still d220355a"))
    close_block(client, uri)
    apply_workspace_edit(actions[title].edit)
    text = (client.root / "shooting/shot-2a.md").read_text()
    assert "approved: true" in text and text.endswith("behind her.\n")
    assert uri == uri_for(client, "shooting/shot-2a.md")


async def test_a_misspelt_parent_is_fixed_only_to_an_allowed_parent(client):
    """`parent: scene-l` on a shot: the fix is a scene or breakdown id, as the diagnostic's
    did-you-mean says, never the closest id of another type."""
    text = "---\ntype: shot\nparent: scene-1-breakdow\n---\n"
    _, actions = await actions_in(client, "shooting/shot-8.md", text, "scene-1-breakdow", 1)
    assert "Change to `scene-1-breakdown`" in actions
    text = "---\ntype: shot\nparent: mar\n---\n"  # `mara` is a character: no parent of a shot
    _, actions = await actions_in(client, "shooting/shot-9.md", text, "mar", 1)
    assert not [title for title in actions if title.startswith("Change to")]


async def test_a_broken_block_is_broken_in_the_editor_and_its_dependents_stale(client):
    """A tab in a character's frontmatter: hover says broken, and a scene made from it is
    stale because it cannot be read."""
    uri = open_block(client, "design/mara.md", "---\ntype: character\ntitle: Mara\ntags:\n\t- lead\n---\nMara.\n")
    found = await diagnostics_where(client, uri, lambda d: "yaml" in codes(d), "the YAML error")
    assert any("tab" in d.message for d in found)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri_for(client, "story/scene-2.md")),
        position=position_of(client, (client.root / "story/scene-2.md").read_text(), "mara")))
    assert hover is not None and "broken" in hover.contents.value
    close_block(client, uri)
