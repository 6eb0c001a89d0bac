"""Code lens on the frontmatter: dependents, state, and the action that fits."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from .conftest import close_block, open_block


async def lenses(client, uri: str) -> list[types.CodeLens]:
    return await client.text_document_code_lens_async(types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri)))


async def both_lenses(client, uri: str) -> list[types.CodeLens]:
    """The state lens and the Generate lens (planning the cost can fail for a moment while
    the server starts up: ask again until both are there)."""
    found = await lenses(client, uri)
    for _ in range(200):
        if len(found) == 2:
            break
        await asyncio.sleep(0.02)
        found = await lenses(client, uri)
    return found


async def test_lens_counts_dependents_and_shows_the_state(client):
    """scene-1: two blocks are made from it, it is stale, and the lens marks it up to date;
    the next lens generates it, with its cost (free here: no API keys, so mock mode)."""
    uri = open_block(client, "story/scene-1.md")
    state, generate = await both_lenses(client, uri)
    assert state.range.start.line == 0
    assert state.command.title == "2 dependents · stale · Mark up to date"
    assert (state.command.command, list(state.command.arguments)) == ("cinefile.markFresh", ["scene-1"])
    assert generate.command.title == "Generate (mock, free)"
    assert list(generate.command.arguments) == ["scene-1", "text", "draft"]
    close_block(client, uri)


async def test_lens_of_a_fresh_block(client):
    """mara: eight blocks name her, and she is fresh."""
    uri = open_block(client, "design/mara.md")
    lens = (await lenses(client, uri))[0]
    assert lens.command.title == "8 dependents · fresh"
    close_block(client, uri)


async def test_a_file_not_open_in_the_editor_gets_its_generate_lens_too(client):
    """A closed file is parsed again for the request: a new node for the same block, which
    still owns its id (compared by path, not by identity)."""
    uri = client.root.joinpath("story/scene-2.md").as_uri()
    found = await both_lenses(client, uri)
    assert len(found) == 2 and found[0].command.title.endswith("· fresh")
    assert found[1].command.command == "cinefile.generate" and list(found[1].command.arguments)[0] == "scene-2"
