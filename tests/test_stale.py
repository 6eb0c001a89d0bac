"""Staleness: recorded in the files, computed from hashes, propagated through dependencies."""

import os

from cinefile.daemon.api import ProjectAPI
from cinefile.daemon.index.sync import sync
from cinefile.format.stale import FRESH, STALE, UNREVIEWED, StaleInput, compute_staleness, restore
from conftest import write


def edit_body(project, rel, extra):
    path = project.root / rel
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")


def state(index, key):
    row = index.block(key)
    return row["state"], row["stale_reason"]


def test_the_sample_has_direct_and_transitive_staleness(sample, index_of):
    index = index_of(sample)
    sync(sample, index)
    assert state(index, "scene-1") == (STALE, "mara-raincoat changed")
    assert state(index, "shot-1a") == (STALE, "mara-raincoat changed (via scene-1 → scene-1-breakdown)")
    assert state(index, "shot-2a")[0] == UNREVIEWED
    assert state(index, "scene-2") == (FRESH, "")
    assert state(index, "mara") == (FRESH, "")


def test_a_meaningful_edit_makes_dependents_stale(sample, index_of):
    index = index_of(sample)
    edit_body(sample, "design/wheelhouse.md", "\nA second door, to the stairs.\n")
    sync(sample, index)
    assert state(index, "scene-2") == (STALE, "wheelhouse changed")
    assert state(index, "brass-compass") == (FRESH, "")


def test_irrelevant_edits_make_nothing_stale(sample, index_of):
    """Tags, whitespace, CRLF and reordered keys are not a change."""
    index = index_of(sample)
    sync(sample, index)
    before = {r["key"]: r["state"] for r in index.blocks()}
    path = sample.root / "design/captain-ilse.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("tags: [lead]", "tags: [lead, veteran]").replace("type: character\ntitle: Captain Ilse", "title: Captain Ilse\ntype: character")
    path.write_bytes((text.replace("\n", "   \r\n") + "\r\n\r\n").encode())
    report = sync(sample, index)
    assert report.modified == ["design/captain-ilse.md"]
    assert {r["key"]: r["state"] for r in index.blocks()} == before


def test_staleness_survives_deleting_the_db(sample, index_of):
    index = index_of(sample)
    edit_body(sample, "design/wheelhouse.md", "\nNew.\n")
    sync(sample, index)
    index.close()
    os.remove(sample.db_path)
    index = index_of(sample)
    sync(sample, index)
    assert state(index, "scene-2") == (STALE, "wheelhouse changed")
    assert state(index, "shot-1a")[0] == STALE


def test_mark_fresh_records_hashes_and_clears_staleness(sample, index_of):
    index = index_of(sample)
    sync(sample, index)
    result = ProjectAPI(sample, index=index).mark_fresh(["scene-1"])
    assert result.written == ["story/scene-1.md"]
    assert state(index, "scene-1") == (FRESH, "")
    # the blocks below scene-1 were stale only through it
    assert state(index, "scene-1-camera") == (FRESH, "")
    assert state(index, "shot-1b")[0] == STALE  # it depends on the raincoat itself
    assert "generated:" in (sample.root / "story/scene-1.md").read_text()


def test_a_dependency_added_after_review_makes_the_block_stale(sample, index_of):
    index = index_of(sample)
    path = sample.root / "story/scene-2.md"
    path.write_text(path.read_text().replace("  - {id: brass-compass, type: appears_in}\n",
                                             "  - {id: brass-compass, type: appears_in}\n  - style-guide\n"))
    sync(sample, index)
    assert state(index, "scene-2") == (STALE, "style-guide was added since it was generated")


def test_a_never_reviewed_block_is_unreviewed_and_does_not_spread(empty, index_of):
    write(empty.root, "design/mara.md", "---\ntype: character\n---\nMara.\n")
    write(empty.root, "story/scene-1.md", "---\ntype: scene\ndependencies: [mara]\n---\n")
    write(empty.root, "shooting/shot-1.md", "---\ntype: shot\nparent: scene-1\n---\n")
    index = index_of(empty)
    sync(empty, index)
    assert state(index, "scene-1")[0] == UNREVIEWED and state(index, "shot-1")[0] == UNREVIEWED
    assert state(index, "mara") == (FRESH, "")


def test_cycles_terminate_and_long_chains_do_not_recurse():
    nodes = {"a": StaleInput("h1", ["b"], {"b": "h2xxxxxxxxxx"}), "b": StaleInput("h2xxxxxxxxxx", ["a"], {"a": "000000"})}
    states = compute_staleness(nodes)
    assert states["b"].state == STALE and states["b"].cause == "a"
    chain = {f"n{i}": StaleInput(f"hash{i:08d}", [f"n{i + 1}"] if i < 5000 else [], {f"n{i + 1}": f"hash{i + 1:08d}"})
             for i in range(5001)}
    chain["n5000"] = StaleInput("changed!", [], None)
    chain["n4999"] = StaleInput("hash00004999", ["n5000"], {"n5000": "original"})
    states = compute_staleness(chain)
    n0 = states["n0"]
    assert n0.state == STALE and n0.cause == "n5000" and len(n0.via) + n0.skipped == 4999
    # The path keeps its ends and counts the middle, or reasons grow with the square of the chain.
    assert n0.via == ("n4999", "n4998", "n4997", "n3", "n2", "n1") and n0.skipped == 4993
    assert n0.reason == "n5000 changed (via n4999 → n4998 → n4997 → … 4,993 more → n3 → n2 → n1)"
    assert sum(len(state.reason) for state in states.values()) < 100 * len(states)


def test_a_reason_read_back_from_the_index_is_the_same_staleness():
    chain = {f"n{i}": StaleInput(f"hash{i:08d}", [f"n{i + 1}"] if i < 12 else [], {f"n{i + 1}": f"hash{i + 1:08d}"})
             for i in range(13)}
    chain["n12"] = StaleInput("changed!", [], None)
    chain["n11"] = StaleInput("hash00000011", ["n12"], {"n12": "original"})
    for state in compute_staleness(chain).values():
        back = restore(state.state, state.cause, state.reason)
        assert back == state and back.reason == state.reason
