"""Document symbols (the frontmatter's keys and the Markdown headings) and workspace
symbols (every block by title and id, fuzzy)."""

from __future__ import annotations

from lsprotocol import types

from .conftest import close_block, open_block

TEXT = """---
type: scene
title: The Crossing
int_ext: EXT
---
# Arrival
The ferry docks.
## On the ramp
Mara waits.
# Departure
"""


async def test_document_symbols_are_frontmatter_keys_and_headings(client):
    """The block is one symbol holding its keys; headings nest by level."""
    uri = open_block(client, "story/scene-3.md", TEXT)
    found = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert [s.name for s in found] == ["The Crossing", "Arrival", "Departure"]
    assert [k.name for k in found[0].children] == ["type", "title", "int_ext"]
    assert found[0].children[2].detail == "EXT"
    assert [c.name for c in found[1].children] == ["On the ramp"]
    assert found[1].children[0].range.start.line == 7
    close_block(client, uri)


async def test_workspace_symbols_match_titles_and_ids_fuzzily(client):
    """`fry deck` finds the ferry deck by letters in order; an empty query lists every block."""
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="fry deck"))
    assert found[0].name == "Ferry car deck" and found[0].location.uri.endswith("design/ferry-deck.md")
    assert "location · ferry-deck" == found[0].container_name
    by_id = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="shot1b"))
    assert by_id[0].location.uri.endswith("shooting/shot-1b.md")
    everything = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query=""))
    assert len(everything) == 20
    assert await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="zzzz")) == []
