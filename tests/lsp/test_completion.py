"""Completion in the frontmatter: keys, types with their phase, ids with title and type
(parents filtered by the parent rules, ids already listed left out), tags, asset roles."""

from __future__ import annotations

from lsprotocol import types

from .conftest import close_block, open_block, position_of

SCENE = """---
type: scene
title: The Crossing
parent: 
int_ext: INT
time_of_day: NIGHT
tags: [
dependencies: [mara, 
assets:
  - {sha256: abc, role: }
---
Body.
"""


async def complete(client, uri: str, position: types.Position) -> list[types.CompletionItem]:
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=position))
    return result.items if isinstance(result, types.CompletionList) else result or []


def labels(items) -> set[str]:
    return {item.label for item in items}


async def test_frontmatter_keys_are_offered_except_those_present(client):
    """On a new line of the frontmatter: the keys cinefile reads and the type's own fields,
    but not the keys already there."""
    text = SCENE.replace("int_ext: INT\n", "int\n")
    uri = open_block(client, "story/scene-3.md", text)
    items = await complete(client, uri, position_of(client, text, "int\n", 3))
    assert {"int_ext", "id", "mode"} <= labels(items)
    assert "title" not in labels(items) and "time_of_day" not in labels(items)
    close_block(client, uri)


async def test_types_come_with_their_phase_and_description(client):
    """After `type:` all 14 types, each with its phase and what it is for."""
    text = SCENE.replace("type: scene", "type: ")
    uri = open_block(client, "story/scene-3.md", text)
    items = await complete(client, uri, position_of(client, text, "type: ", 6))
    assert len(items) == 14
    shot = next(i for i in items if i.label == "shot")
    assert shot.detail.startswith("Shooting") and "framing" in shot.detail
    close_block(client, uri)


async def test_parent_ids_are_filtered_by_the_parent_rules(client):
    """A scene's parent is a beat or an act: only those are offered, with title and type."""
    uri = open_block(client, "story/scene-3.md", SCENE)
    items = await complete(client, uri, position_of(client, SCENE, "parent: ", 8))
    assert labels(items) == {"beat-1", "beat-2", "act-1"}
    beat = next(i for i in items if i.label == "beat-1")
    assert "beat" in beat.detail
    close_block(client, uri)


async def test_dependency_ids_leave_out_those_already_listed(client):
    """In a flow list after `dependencies:` every block but this one and those listed."""
    uri = open_block(client, "story/scene-3.md", SCENE)
    items = await complete(client, uri, position_of(client, SCENE, "[mara, ", 7))
    assert {"captain-ilse", "wheelhouse", "style-guide"} <= labels(items)
    assert "mara" not in labels(items)
    ilse = next(i for i in items if i.label == "captain-ilse")
    assert ilse.detail == "Captain Ilse · character"
    close_block(client, uri)


async def test_dependency_ids_in_a_block_list(client):
    """The `- id` list style works the same, and what was typed narrows the list (by id
    or title), ids that start with it first."""
    text = SCENE.replace("dependencies: [mara, \n", "dependencies:\n  - mara\n  - wh\n")
    uri = open_block(client, "story/scene-3.md", text)
    items = await complete(client, uri, position_of(client, text, "- wh", 4))
    assert "wheelhouse" in labels(items) and "logline" not in labels(items) and "mara" not in labels(items)
    assert min(items, key=lambda i: i.sort_text).label == "wheelhouse"
    close_block(client, uri)


async def test_tags_already_used_in_the_project(client):
    """After `tags:` the tags other blocks use."""
    uri = open_block(client, "story/scene-3.md", SCENE)
    items = await complete(client, uri, position_of(client, SCENE, "tags: [", 7))
    assert {"lead", "pitch", "exterior"} <= labels(items)
    close_block(client, uri)


async def test_asset_roles(client):
    """`role:` in an asset entry offers the asset roles."""
    uri = open_block(client, "story/scene-3.md", SCENE)
    items = await complete(client, uri, position_of(client, SCENE, "role: ", 6))
    assert labels(items) == {"still", "video", "audio", "reference"}
    close_block(client, uri)


async def test_nothing_is_offered_in_the_body(client):
    """The body is the writer's prose: no completions there."""
    uri = open_block(client, "story/scene-3.md", SCENE)
    assert await complete(client, uri, position_of(client, SCENE, "Body.", 2)) == []
    close_block(client, uri)
