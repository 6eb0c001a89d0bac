"""A whole-project relink holds one batch of rows at a time, not the project, and gives what
linking every block at once gives: the same cross-file problems, staleness and links, on a
project with every kind of them, whatever the batch size."""

import pytest
from cinefile.daemon.index import relink
from cinefile.daemon.index import sync as sync_module
from cinefile.daemon.index.relink import relink_all
from cinefile.daemon.index.sync import open_index, sync
from cinefile.daemon.project import Project
from cinefile.format.stale import record_for
from conftest import block_text, write

_LINKED = ("SELECT b.path, b.key, b.link_problems, b.link_errors, b.state, b.stale_cause, b.stale_reason, p.path AS parent "
           "FROM blocks AS b LEFT JOIN blocks AS p ON p.id = b.parent_id ORDER BY b.path")
_DEPENDENCIES = ("SELECT s.path, d.dst_key, d.type, t.path AS target FROM dependencies AS d JOIN blocks AS s ON s.id = d.src_block_id "
                 "LEFT JOIN blocks AS t ON t.id = d.dst_block_id ORDER BY 1, 2")
_HISTORY = "SELECT h.action, h.version, h.path, h.payload, t.data FROM history AS h JOIN texts AS t ON t.hash = h.text_hash ORDER BY h.path"


def _tangled_project(root) -> Project:
    """24 blocks with every cross-file case: twins of one id (of two types), unknown ids (one
    close to an id), a parent of the wrong type, a cycle, a self-reference, blocks fresh,
    stale, stale through another, never reviewed, broken, and stale from a broken one."""
    write(root, "cinefile.toml", 'name = "Tangled"\n')
    files = {
        "design/style.md": block_text("style_guide", "Grey.", id="style"),
        "design/mara.md": block_text("character", "Mara.", id="mara"),
        "design/zz-mara-again.md": block_text("location", "Same id, another type.", id="mara"),
        "design/jon.md": block_text("character", "Jon.", id="jon"),
        "design/harbor.md": block_text("location", "Harbor.", id="harbor"),
        "design/prop-a.md": block_text("prop", "A.", id="prop-a", dependencies=["prop-b"]),
        "design/prop-b.md": block_text("prop", "B.", id="prop-b", dependencies=["prop-c"]),
        "design/prop-c.md": block_text("prop", "C.", id="prop-c", dependencies=["prop-a"]),
        "design/mirror.md": block_text("prop", "Itself.", id="mirror", dependencies=["mirror"]),
        "story/act.md": block_text("act", "The act.", id="act-one"),
        "story/beat.md": block_text("beat", "A beat.", id="beat-one", parent="act-one"),
        "story/beat-2.md": block_text("beat", "Lost.", id="beat-two", parent="act-too"),
        "story/scene-1.md": block_text("scene", "One.", id="scene-1", parent="beat-one", dependencies=["mara", "harbor"]),
        "story/scene-2.md": block_text("scene", "Two.", id="scene-2", parent="beat-one", dependencies=["jon", "marra", "nowhere"]),
        "story/scene-3.md": block_text("scene", "Three.", id="scene-3", parent="beat-one",
                                       dependencies=["jon"], generated={"from": {"jon": "000000", "beat-one": "000000"}}),
        "story/shot-1.md": block_text("shot", "Wrong parent.", id="shot-1", parent="jon", dependencies=["style"]),
        "story/shot-2.md": "---\ntype: shot\nid: shot-2\nparent: [scene-1\n---\nBroken.\n",
        "story/shot-4.md": block_text("shot", "Plain.", id="shot-4", parent="scene-1", dependencies=["style", "mara"]),
    }
    for rel, text in files.items():
        write(root, rel, text)
    # Reviewed against today's hashes: scene-4 before harbor was added to it, shot-3 before
    # shot-2 broke; shot-5 is fresh, shot-6 stale through scene-3, shot-7 fresh on an id with
    # twins, shot-8 reviewed before its parent was written, on a cycle.
    project = Project(root)
    index = open_index(project)
    sync(project, index)
    hashes = index.hashes()
    index.close()
    for name, parent, dependencies, reviewed in (
            ("scene-4", "beat-one", ["harbor"], ["beat-one"]), ("shot-3", "scene-1", ["shot-2"], ["scene-1", "shot-2"]),
            ("shot-5", "scene-1", ["style", "harbor"], None), ("shot-6", "scene-3", ["scene-3"], None),
            ("shot-7", "scene-1", ["mara", "style"], None), ("shot-8", "scene-4", ["prop-a"], None)):
        record = record_for(reviewed or [parent, *dependencies], hashes)
        write(root, f"story/{name}.md", block_text(name.split("-")[0], f"{name}.", id=name, parent=parent,
                                                   dependencies=dependencies, generated={"from": record}))
    project.db_path.unlink()
    return project


def _snapshot(index) -> tuple:
    return index.query(_LINKED), index.query(_DEPENDENCIES)


def _unlink(index) -> None:
    """Forget every block's links, as an index from before a crash would have them."""
    with index.write() as db:
        db.execute("UPDATE blocks SET link_problems = NULL, link_errors = 0, state = NULL, stale_cause = NULL, "
                   "stale_reason = NULL, parent_id = NULL")
        db.execute("UPDATE dependencies SET dst_block_id = NULL")


@pytest.fixture
def batches(monkeypatch):
    """The rows of each batch relink stores (changed or not), by path."""
    seen: list[list[str]] = []
    store = relink._store

    def spy(db, results):
        seen.append([row[1] for row, _, _ in results])
        return store(db, results)

    monkeypatch.setattr(relink, "_store", spy)
    return seen


def test_relink_all_works_in_bounded_batches_and_links_as_one_pass_over_every_block(tmp_path, monkeypatch, batches):
    project = _tangled_project(tmp_path / "film")
    index = open_index(project)
    try:
        sync(project, index)  # a first sync this small links every block at once, before writing (link_all)
        expected = _snapshot(index)
        paths = [row["path"] for row in expected[0]]
        problems = "".join(row["link_problems"] for row in expected[0])
        for found in ("duplicate-id", "unknown-ref", "did you mean `mara`", "parent-type", "cycle", "self-reference"):
            assert found in problems
        assert {"fresh", "stale", "unreviewed", "broken"} <= {row["state"] for row in expected[0]}
        reasons = {row["stale_reason"] for row in expected[0]}
        for found in ("harbor was added since it was generated", "shot-2 cannot be read", "beat-one changed (via scene-3)"):
            assert found in reasons

        for size in (4, 7, 1, 10_000):
            monkeypatch.setattr(relink, "RELINK_BATCH", size)
            _unlink(index)
            batches.clear()
            with index.write() as db:
                assert relink_all(db) == paths  # every block changed, reported in path order
            assert _snapshot(index) == expected, size
            assert [path for batch in batches for path in batch] == paths
            assert max(map(len, batches)) == min(size, len(paths))
            assert len(batches) == -(-len(paths) // size)  # several batches below the project's size
    finally:
        index.close()


def test_a_cold_sync_bigger_than_its_batches_indexes_what_a_small_one_does(tmp_path, monkeypatch, batches):
    """The first sync of a big project writes its reads in batches and relinks the index in
    batches; forced here on a small project, it must give the index that linking every block
    before writing it gives."""
    results = []
    for stream_from in (10**9, 1):
        monkeypatch.setattr(sync_module, "STREAM_FROM", stream_from)
        monkeypatch.setattr(sync_module, "_WRITE_BATCH", 5)
        monkeypatch.setattr(relink, "RELINK_BATCH", 3)
        project = _tangled_project(tmp_path / f"film-{stream_from}")
        index = open_index(project)
        batches.clear()
        report = sync(project, index)
        results.append((sorted(report.added), sorted(report.relinked), *_snapshot(index), index.query(_HISTORY),
                        index.error_count()))
        index.close()
        assert (len(batches) > 1) == (stream_from == 1)  # only the streamed sync relinks from the index
    assert results[0] == results[1]
    assert len(results[0][0]) == 24 and results[0][-1] >= 1


def test_a_big_first_sync_writes_with_a_bigger_page_cache_and_gives_it_back(tmp_path, monkeypatch):
    """A first sync that streams its reads (a big project, forced here) writes with SQLite's
    page cache at BIG_FIRST_SYNC_CACHE_KB, and leaves the connection's cache as it was."""
    seen = []
    first_in_batches = sync_module._first_in_batches
    monkeypatch.setattr(sync_module, "STREAM_FROM", 1)
    monkeypatch.setattr(sync_module, "_first_in_batches",
                        lambda db, *args: seen.append(db.execute("PRAGMA cache_size").fetchone()[0]) or first_in_batches(db, *args))
    project = _tangled_project(tmp_path / "film")
    index = open_index(project)
    before = index.query("PRAGMA cache_size")[0]["cache_size"]
    assert len(sync(project, index).added) == 24
    assert seen and set(seen) == {-sync_module.BIG_FIRST_SYNC_CACHE_KB} and before != seen[0]
    assert index.query("PRAGMA cache_size")[0]["cache_size"] == before
    index.close()
