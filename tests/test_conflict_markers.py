"""Conflict markers left by a merge: a problem at their lines (an error: nothing is made from
half a merge), in `status`; the block is broken until they are gone, but keeps its id (its own side's), so links to it hold; either
side can be kept. A lone `=======` is a Markdown heading underline, not a conflict."""

from __future__ import annotations

from cinefile.daemon.api import ProjectAPI
from cinefile.format.conflicts import Conflict, find_conflicts, keep, keep_all
from cinefile.format.parse import parse_text
from cinefile.format.problems import UNREADABLE_CODES
from conftest import write

CONFLICTED = """---
type: scene
<<<<<<< ours
id: crossing
title: Night crossing
=======
id: the-crossing
title: Last crossing
>>>>>>> theirs
---
Mara boards.
<<<<<<< ours
The horn sounds twice.
||||||| base
The horn sounds.
=======
The horn sounds three times.
>>>>>>> theirs
"""


def test_complete_conflicts_are_found_and_nothing_else():
    assert find_conflicts(CONFLICTED) == [Conflict(2, None, 5, 8), Conflict(11, 13, 15, 17)]
    heading = "---\ntype: beat\n---\nTitle\n=======\n\n>>>>>>> not a marker without a start\n"
    assert find_conflicts(heading) == []
    assert find_conflicts("<<<<<<< ours\nhalf\n=======\n") == []  # never closed
    assert find_conflicts("<<<<<<<< eight\na\n========\nb\n>>>>>>>> eight\n") == []  # not git's size


def test_a_conflict_is_an_error_at_its_lines_and_the_block_keeps_ours_id():
    block = parse_text("story/scene-9.md", CONFLICTED)
    assert [(p.code, p.severity, p.range.to_json()) for p in block.problems] == [
        ("merge-conflict", "error", [2, 0, 8, 14]), ("merge-conflict", "error", [11, 0, 17, 14])]
    assert block.problems[0].message.startswith("merge conflict: both sides changed this (2 lines ours, 2 lines theirs)")
    assert block.id == "crossing" and not block.readable and "merge-conflict" in UNREADABLE_CODES


def test_keep_either_side():
    first, second = find_conflicts(CONFLICTED)
    ours = keep(CONFLICTED, first, "ours")
    assert ours.startswith("---\ntype: scene\nid: crossing\ntitle: Night crossing\n---\n")
    assert keep_all(CONFLICTED, "theirs").endswith("Mara boards.\nThe horn sounds three times.\n")
    assert keep(CONFLICTED, second, "ours").endswith("Mara boards.\nThe horn sounds twice.\n")  # the base goes too
    unended = "a\n<<<<<<< ours\nb\n=======\nc\n>>>>>>> theirs"
    assert keep(unended, find_conflicts(unended)[0], "theirs") == "a\nc"


def test_status_shows_the_conflict_and_links_to_the_block_hold(empty):
    write(empty.root, "story/scene-9.md", CONFLICTED)
    write(empty.root, "shooting/shot-9a.md", "---\ntype: shot\nparent: crossing\n---\nWide.\n")
    with ProjectAPI(empty) as api:
        api.sync()
        status = api.status()
        assert status.errors == 2
        assert [(p["code"], p["line"]) for p in status.to_json()["problems"] if p["path"] == "story/scene-9.md"] == [
            ("merge-conflict", 3), ("merge-conflict", 12)]
        # The shot names the scene by the id of our side: no unknown id.
        assert not [p for p in status.to_json()["problems"] if p["path"] == "shooting/shot-9a.md" and p["severity"] == "error"]
        assert api.card("crossing").state == "broken"
        assert {b["id"]: b["reason"] for b in status.broken}["crossing"].startswith("line 3: merge conflict")
