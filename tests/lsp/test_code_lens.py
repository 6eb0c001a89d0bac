"""Code lens on the frontmatter: dependents, state, and the action that fits."""

from __future__ import annotations

from lsprotocol import types

from .conftest import close_block, open_block


async def lenses(client, uri: str) -> list[types.CodeLens]:
    return await client.text_document_code_lens_async(types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri)))


async def test_lens_counts_dependents_and_shows_the_state(client):
    """scene-1: two blocks are made from it, it is stale, and the lens marks it up to date."""
    uri = open_block(client, "story/scene-1.md")
    (lens,) = await lenses(client, uri)
    assert lens.range.start.line == 0
    assert lens.command.title.startswith("2 dependents · stale")
    assert list(lens.command.arguments) == ["scene-1"]
    close_block(client, uri)


async def test_lens_of_a_fresh_block(client):
    """mara: eight blocks name her, and she is fresh."""
    uri = open_block(client, "design/mara.md")
    (lens,) = await lenses(client, uri)
    assert lens.command.title.startswith("8 dependents · fresh")
    close_block(client, uri)
