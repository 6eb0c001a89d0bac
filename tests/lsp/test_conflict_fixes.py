"""A block with merge conflict markers: an error diagnostic over each conflict, and the quick
fixes "Keep ours" and "Keep theirs", each an edit that leaves that side and no markers."""

from __future__ import annotations

from .conftest import apply_text_edits, close_block, codes, diagnostics_where, open_block, position_of
from .test_code_actions import actions_at, edits_of

TEXT = """---
type: beat
title: Turn
---
The ferry turns.
<<<<<<< ours
Mara grips the rail.
=======
Mara lets go of the rail.
>>>>>>> theirs
Fog.
"""


async def test_conflict_is_a_diagnostic_with_a_fix_for_each_side(client):
    uri = open_block(client, "story/beat-9.md", TEXT)
    found = await diagnostics_where(client, uri, lambda d: "merge-conflict" in codes(d), "the conflict's diagnostic")
    conflict = next(d for d in found if d.code == "merge-conflict")
    assert (conflict.range.start.line, conflict.range.end.line) == (5, 9) and conflict.severity == 1
    actions = await actions_at(client, uri, position_of(client, TEXT, "grips"))
    close_block(client, uri)
    ours = apply_text_edits(TEXT, edits_of(actions["Keep ours"].edit, uri))
    theirs = apply_text_edits(TEXT, edits_of(actions["Keep theirs"].edit, uri))
    assert ours == TEXT.replace("<<<<<<< ours\n", "").replace("=======\nMara lets go of the rail.\n>>>>>>> theirs\n", "")
    assert theirs == TEXT.replace("<<<<<<< ours\nMara grips the rail.\n=======\n", "").replace(">>>>>>> theirs\n", "")
