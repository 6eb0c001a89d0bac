"""Hover: a block's card on an id (title, type, first lines, state, its still as an image),
what a type is for on `type:`, and the impact of a change on a block's own id."""

from __future__ import annotations

from lsprotocol import types

from .conftest import close_block, open_block, position_of


async def hover_text(client, uri: str, position: types.Position) -> str | None:
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=position))
    return result.contents.value if result is not None else None


async def test_an_id_shows_the_block_card(client):
    """On a dependency id: its title, type, first lines and stale state."""
    text = (client.root / "story/scene-1.md").read_text()
    uri = open_block(client, "story/scene-1.md")
    card = await hover_text(client, uri, position_of(client, text, "mara-raincoat", 3))
    assert "**Mara's oilskin**" in card and "costume" in card
    assert "A yellow oilskin faded to mustard" in card
    assert "*fresh*" in card
    stale_card = await hover_text(client, uri, position_of(client, text, "parent: beat-1", 9))
    assert "beat-1" in stale_card and "**" in stale_card
    close_block(client, uri)


async def test_a_stale_block_says_why_and_a_still_is_an_image(client):
    """On `shot-2a` (named in a file that lists it): the state, and its still as a Markdown
    image of the file in assets/."""
    text = "---\ntype: shot_breakdown\nparent: scene-2\ndependencies: [shot-2a, scene-1-breakdown]\n---\n"
    uri = open_block(client, "shooting/scene-2-breakdown.md", text)
    card = await hover_text(client, uri, position_of(client, text, "shot-2a", 2))
    assert "*unreviewed: never generated or reviewed" in card
    assert "![still of shot-2a](file://" in card and card.rstrip().endswith(".png)")
    stale = await hover_text(client, uri, position_of(client, text, "scene-1-breakdown", 2))
    assert "*stale: mara-raincoat changed (via scene-1)*" in stale
    close_block(client, uri)


async def test_type_says_what_the_type_is_for(client):
    """On `type:` (key or value): the type's phase, purpose, parents and needed fields."""
    text = (client.root / "shooting/shot-1a.md").read_text()
    uri = open_block(client, "shooting/shot-1a.md")
    for position in (position_of(client, text, "type:", 1), position_of(client, text, "shot\n", 1)):
        value = await hover_text(client, uri, position)
        assert value.startswith("**shot** (Shooting phase)") and "`lens`" in value
    close_block(client, uri)


async def test_own_id_shows_what_would_go_stale(client):
    """On a block's own `id:`: every block made from it, directly or not."""
    text = (client.root / "story/beat-1-boarding.md").read_text()
    uri = open_block(client, "story/beat-1-boarding.md")
    impact = await hover_text(client, uri, position_of(client, text, "id: beat-1", 5))
    assert "would make 5 block(s) stale" in impact
    for block_id in ("scene-1", "scene-1-breakdown", "scene-1-camera", "shot-1a", "shot-1b"):
        assert f"`{block_id}`" in impact
    close_block(client, uri)
