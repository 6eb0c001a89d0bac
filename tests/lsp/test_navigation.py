"""Go to definition opens a block's file; references list who depends on a block and who
is its child."""

from __future__ import annotations

from lsprotocol import types

from .conftest import close_block, open_block, position_of, uri_for


async def test_definition_opens_the_blocks_file(client):
    """On `parent: beat-1` the definition is beat-1-boarding.md, at its `id:`; an id
    mentioned in the body works too."""
    text = (client.root / "story/scene-1.md").read_text()
    uri = open_block(client, "story/scene-1.md")
    found = await client.text_document_definition_async(types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(client, text, "beat-1", 2)))
    assert [(loc.uri, loc.range.start.line) for loc in found] == [(uri_for(client, "story/beat-1-boarding.md"), 2)]
    body = await client.text_document_definition_async(types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(client, text, "MARA (19)", 1)))
    assert body[0].uri == uri_for(client, "design/mara.md")
    close_block(client, uri)


async def test_definition_of_an_unknown_id_is_nothing(client):
    """An id that names no block has no definition (and no error)."""
    text = "---\ntype: shot\ndependencies: [nobody]\n---\n"
    uri = open_block(client, "shooting/shot-9.md", text)
    assert await client.text_document_definition_async(types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(client, text, "nobody", 2))) is None
    close_block(client, uri)


async def references_at(client, rel: str, needle: str, offset: int, declaration: bool) -> list[types.Location]:
    """References asked for at `needle` in the block at `rel`, opened for the request."""
    text = (client.root / rel).read_text()
    uri = open_block(client, rel)
    found = await client.text_document_references_async(types.ReferenceParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(client, text, needle, offset),
        context=types.ReferenceContext(include_declaration=declaration)))
    close_block(client, uri)
    return found


async def test_references_are_dependents_and_children(client):
    """References of scene-1: the blocks that list it and its children, at the entry."""
    found = await references_at(client, "story/scene-1.md", "title", 0, declaration=False)
    files = sorted(loc.uri.rsplit("/", 1)[-1] for loc in found)
    assert files == ["scene-1-breakdown.md", "scene-1-camera.md"]
    breakdown = next(loc for loc in found if loc.uri.endswith("scene-1-breakdown.md"))
    assert breakdown.range.start.line == 3 and breakdown.range.end.character - breakdown.range.start.character == len("scene-1")


async def test_references_of_a_dependency_include_its_declaration_when_asked(client):
    """On `mara` in a list: every block that depends on mara or is her child, and her file."""
    found = await references_at(client, "shooting/shot-1b.md", "[mara", 2, declaration=True)
    files = {loc.uri.rsplit("/", 1)[-1] for loc in found}
    assert {"mara.md", "mara-raincoat.md", "scene-1.md", "shot-1b.md", "outline.md", "beat-1-boarding.md"} <= files
