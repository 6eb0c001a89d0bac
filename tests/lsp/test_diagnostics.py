"""Diagnostics: the core's checks with their ranges, links, missing fields, staleness on
the dependency entry with its chain, and updates from other buffers and from the disk."""

from __future__ import annotations

from lsprotocol import types

from .conftest import codes, diagnostics_where, open_block, close_block, replace_text, uri_for


async def test_stale_dependency_is_reported_on_the_entry_that_changed(client):
    """scene-1 was made from mara-raincoat, which changed since: the warning sits on that
    dependency entry, gives the chain, and points to the costume's file."""
    uri = open_block(client, "story/scene-1.md")
    found = await diagnostics_where(client, uri, lambda d: "stale" in codes(d))
    stale = next(d for d in found if d.code == "stale")
    assert stale.severity == types.DiagnosticSeverity.Warning
    text = (client.root / "story/scene-1.md").read_text()
    line = text.splitlines()[stale.range.start.line]
    assert line[stale.range.start.character:stale.range.end.character] == "mara-raincoat"
    assert "mara-raincoat changed" in stale.message
    assert stale.related_information[0].location.uri == uri_for(client, "design/mara-raincoat.md")
    close_block(client, uri)
