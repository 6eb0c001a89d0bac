"""Rename an id: every reference, the `generated.from` records that name it, and the file
named after it, in one WorkspaceEdit that leaves the project consistent."""

from __future__ import annotations

import pytest
from lsprotocol import types

from .conftest import apply_workspace_edit, close_block, codes, diagnostics_where, open_block, position_of


async def test_prepare_rename_offers_the_id(client):
    """On a reference the id itself is what gets renamed; on prose nothing is."""
    text = (client.root / "shooting/shot-1b.md").read_text()
    uri = open_block(client, "shooting/shot-1b.md")
    found = await client.text_document_prepare_rename_async(types.PrepareRenameParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(client, text, "mara-raincoat", 2)))
    assert found.placeholder == "mara-raincoat"
    assert found.range.end.character - found.range.start.character == len("mara-raincoat")
    assert await client.text_document_prepare_rename_async(types.PrepareRenameParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(client, text, "chapped", 2))) is None
    close_block(client, uri)


async def test_rename_changes_every_reference_record_and_the_file(client):
    """Renaming mara-raincoat to oilskin edits the blocks that list it and their records;
    the file becomes oilskin.md where the client can rename files (else it gets `id:`).
    Once applied the project has no unknown ids and no block went stale for it."""
    text = (client.root / "shooting/shot-1b.md").read_text()
    uri = open_block(client, "shooting/shot-1b.md")
    edit = await client.text_document_rename_async(types.RenameParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(client, text, "mara-raincoat", 2),
        new_name="oilskin"))
    close_block(client, uri)
    apply_workspace_edit(edit)
    for rel in ("shooting/shot-1b.md", "story/scene-1.md"):
        changed = (client.root / rel).read_text()
        assert "mara-raincoat" not in changed and "oilskin: " in changed  # the record too
    renamed_files = [c for c in edit.document_changes or [] if isinstance(c, types.RenameFile)]
    if renamed_files:
        assert renamed_files[0].new_uri.endswith("design/oilskin.md")
        assert (client.root / "design/oilskin.md").exists()
    else:
        assert "id: oilskin" in (client.root / "design/mara-raincoat.md").read_text()
    shot = open_block(client, "shooting/shot-1b.md")
    found = await diagnostics_where(client, shot, lambda d: codes(d) == ["stale"] and "oilskin changed" in d[0].message,
                                    "the renamed block to be stale as before, not unknown")
    assert "added" not in found[0].message
    close_block(client, shot)


@pytest.mark.parametrize("name", ["Not An Id", "mara"])
async def test_a_bad_or_taken_name_is_refused_with_a_reason(client, name):
    """An invalid id, or one another block has, is an error that says what to do."""
    text = (client.root / "story/scene-2.md").read_text()
    uri = open_block(client, "story/scene-2.md")
    with pytest.raises(Exception) as error:
        await client.text_document_rename_async(types.RenameParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(client, text, "wheelhouse", 2),
            new_name=name))
    assert "not a valid id" in str(error.value) or "already the id" in str(error.value)
    close_block(client, uri)
