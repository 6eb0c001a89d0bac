"""Sync is a diff of the folder against the index, applied in one transaction."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

from cinefile.daemon.index.sync import open_index, sync
from conftest import block_text, write


def rows(index):
    return {r["path"]: (r["key"], r["version"], r["content_hash"]) for r in index.blocks()}


def test_adds_edits_renames_and_deletes(empty, index_of):
    index = index_of(empty)
    write(empty.root, "story/a.md", block_text("beat", "One.\n"))
    write(empty.root, "story/b.md", block_text("beat", "Two.\n"))
    write(empty.root, "story/c.md", block_text("beat", "Three.\n", id="c"))
    assert sync(empty, index).summary().startswith("+3 ~0 -0 >0")

    write(empty.root, "story/a.md", block_text("beat", "One, edited.\n"))
    (empty.root / "story/b.md").unlink()
    os.makedirs(empty.root / "story/act-one")
    os.rename(empty.root / "story/c.md", empty.root / "story/act-one/c.md")
    report = sync(empty, index)
    assert (report.modified, report.removed, report.renamed) == (["story/a.md"], ["story/b.md"], [("story/c.md", "story/act-one/c.md")])
    assert report.summary().startswith("+0 ~1 -1 >1")
    assert index.block("a")["version"] == 2 and index.block("c")["path"] == "story/act-one/c.md"
    assert index.block("b") is None


def test_nothing_changed_means_nothing_written(sample, index_of):
    index = index_of(sample)
    sync(sample, index)
    before = index.query("SELECT count(*) AS n FROM history")[0]["n"]
    report = sync(sample, index)
    assert not report.changed and report.relinked == []
    assert index.query("SELECT count(*) AS n FROM history")[0]["n"] == before


def test_touching_a_file_without_changing_it_is_not_a_change(sample, index_of):
    index = index_of(sample)
    path = sample.root / "design/mara.md"
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert not sync(sample, index).changed
    assert index.block("mara")["mtime_ns"] == path.stat().st_mtime_ns


def test_a_rename_with_the_id_in_the_frontmatter_keeps_history(empty, index_of):
    index = index_of(empty)
    write(empty.root, "design/old-name.md", block_text("character", "Mara.\n", id="mara"))
    sync(empty, index)
    os.rename(empty.root / "design/old-name.md", empty.root / "design/new-name.md")
    report = sync(empty, index)
    assert report.renamed == [("design/old-name.md", "design/new-name.md")]
    actions = [r["action"] for r in index.query("SELECT action FROM history WHERE block_key = 'mara' ORDER BY id")]
    assert actions == ["create", "rename"]


def test_paths_with_odd_characters_work(empty, index_of):
    index = index_of(empty)
    names = ["story/Scène 4 (draft).md", "story/100%_done.md", "story/it's [here].md", "story/with\\slash.md"]
    for name in names:
        write(empty.root, name, block_text("beat", f"{name}\n"))
    sync(empty, index)
    assert set(rows(index)) == set(names)
    write(empty.root, names[1], block_text("beat", "changed\n"))
    report = sync(empty, index, scope=["story/100%_done.md"])
    assert report.modified == ["story/100%_done.md"]
    assert index.block("scene-4-draft")["title"] == "Scène 4 (draft)"


def test_scope_limits_the_walk_to_given_paths(empty, index_of):
    index = index_of(empty)
    write(empty.root, "story/a.md", block_text("beat"))
    write(empty.root, "design/b.md", block_text("prop"))
    assert sync(empty, index, scope=["story"]).added == ["story/a.md"]
    (empty.root / "story/a.md").unlink()
    assert sync(empty, index, scope=["story/a.md"]).removed == ["story/a.md"]
    assert sync(empty, index, scope=["design/b.md"]).added == ["design/b.md"]


def test_ignored_and_reserved_paths_are_not_blocks(empty, index_of):
    write(empty.root, ".cinefileignore", "drafts/\n*.notes.md\n")
    for rel in ("drafts/x.md", "story/a.notes.md", "assets/a.md", "exports/project_summary.md", "prompts/scene.md",
                ".hidden/a.md", "story/.swap.md", "node_modules/x.md"):
        write(empty.root, rel, block_text("beat"))
    write(empty.root, ".gitignore", "node_modules/\n")
    write(empty.root, "story/kept.md", block_text("beat"))
    empty.forget_ignore_files()
    index = index_of(empty)
    sync(empty, index)
    assert set(rows(index)) == {"story/kept.md"}


def test_ignore_files_in_folders_apply_below_them_as_in_git(empty, index_of):
    """story/.gitignore ignores its own drafts; a deeper one re-includes a file the root's
    rule left out; patterns match relative to the folder that holds them."""
    write(empty.root, ".gitignore", "*.notes.md\n")
    write(empty.root, "story/.gitignore", "drafts/\n/old.md\n")
    write(empty.root, "story/act-1/.cinefileignore", "!keep.notes.md\n")
    for rel in ("story/drafts/a.md", "story/old.md", "story/act-1/old.md", "story/act-1/x.notes.md",
                "story/act-1/keep.notes.md", "story/b.notes.md", "design/drafts/c.md"):
        write(empty.root, rel, block_text("beat"))
    index = index_of(empty)
    sync(empty, index)
    assert set(rows(index)) == {"story/act-1/old.md", "story/act-1/keep.notes.md", "design/drafts/c.md"}
    assert empty.is_excluded("story/drafts/new.md") and not empty.is_excluded("story/act-1/keep.notes.md")


def test_a_file_deleted_during_the_sync_is_skipped(empty, index_of, monkeypatch):
    from cinefile.daemon.index import read_pool

    write(empty.root, "story/a.md", block_text("beat"))
    write(empty.root, "story/b.md", block_text("beat"))
    real_read = read_pool.read_file

    def read_after_delete(root, rel, stat):
        if rel == "story/a.md":
            (root / rel).unlink()
        return real_read(root, rel, stat)

    monkeypatch.setattr(read_pool, "read_file", read_after_delete)
    index = index_of(empty)
    report = sync(empty, index)
    assert report.added == ["story/b.md"]
    assert set(rows(index)) == {"story/b.md"}


def test_deleting_the_db_rebuilds_everything_but_history(sample, index_of):
    index = index_of(sample)
    sync(sample, index)
    before = {r["path"]: (r["key"], r["content_hash"], r["state"], r["stale_reason"], r["link_problems"]) for r in index.blocks()}
    index.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(f"{sample.db_path}{suffix}"):
            os.remove(f"{sample.db_path}{suffix}")
    index = index_of(sample)
    sync(sample, index)
    after = {r["path"]: (r["key"], r["content_hash"], r["state"], r["stale_reason"], r["link_problems"]) for r in index.blocks()}
    assert after == before


def _make_big_project(root, count):
    for i in range(count):
        write(root, f"story/scene-{i:05d}.md", block_text("scene", ("Rain on the deck. " * 40 + "\n") * 3, dependencies=[f"scene-{(i + 1) % count:05d}"] if i % 2 else []))


def test_a_sync_killed_at_any_moment_leaves_a_consistent_db(empty):
    """kill -9 at several points of a long sync; every time the db is intact, and the next sync repairs it."""
    _make_big_project(empty.root, 3000)
    wal = f"{empty.db_path}-wal"
    killed_mid_write = 0
    for threshold in (0, 64 * 1024, 1024 * 1024, 4 * 1024 * 1024):
        if os.path.exists(empty.db_path):
            os.remove(empty.db_path)
        for extra in (wal, f"{empty.db_path}-shm"):
            if os.path.exists(extra):
                os.remove(extra)
        process = subprocess.Popen([sys.executable, "-m", "cinefile", "sync"], cwd=empty.root,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            if os.path.exists(wal) and os.path.getsize(wal) > threshold:
                process.send_signal(signal.SIGKILL)
                killed_mid_write += 1
                break
        process.wait()
        check = sqlite3.connect(empty.db_path)
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count = check.execute("SELECT count(*) FROM blocks").fetchone()[0] if check.execute(
            "SELECT name FROM sqlite_master WHERE name = 'blocks'").fetchone() else 0
        check.close()
        assert count in (0, 3000)  # all of the sync's transaction, or none of it
        index = open_index(empty)
        sync(empty, index)
        assert len(index.blocks()) == 3000
        assert index.query("SELECT count(*) AS n FROM blocks WHERE state IS NULL")[0]["n"] == 0
        index.close()
    assert killed_mid_write >= 1


def test_history_rows_hold_previous_and_new_text(empty, index_of):
    index = index_of(empty)
    write(empty.root, "story/a.md", "---\ntype: beat\n---\nOne.\n")
    sync(empty, index)
    write(empty.root, "story/a.md", "---\ntype: beat\n---\nTwo.\n")
    sync(empty, index)
    (empty.root / "story/a.md").unlink()
    sync(empty, index)
    history = index.query("SELECT action, version, t.data AS text, p.data AS previous FROM history "
                          "LEFT JOIN texts AS t ON t.hash = text_hash LEFT JOIN texts AS p ON p.hash = previous_hash ORDER BY id")
    assert [(h["action"], h["version"]) for h in history] == [("create", 1), ("update", 2), ("delete", 3)]
    assert history[1]["previous"].endswith("One.\n") and history[1]["text"].endswith("Two.\n")
    assert history[2]["previous"].endswith("Two.\n") and history[2]["text"] is None
    assert index.query("SELECT count(*) AS n FROM texts")[0]["n"] == 2  # each text once


def test_a_db_held_by_another_writer_is_a_clear_busy_error(sample):
    """When another process holds the write lock past the busy timeout, the error says so
    (and does not advise deleting the index)."""
    import pytest
    from cinefile.daemon.errors import UserError
    from cinefile.daemon.index.db import Index

    holder = sqlite3.connect(sample.db_path)
    holder.execute("BEGIN IMMEDIATE")
    try:
        index = Index(sample.db_path, busy_timeout=0.2)
        with pytest.raises(UserError, match="busy: another cinefile process") as raised:
            sync(sample, index)
        assert "delete" not in str(raised.value)
        index.close()
    finally:
        holder.rollback()
        holder.close()


def test_a_first_sync_written_in_batches_indexes_what_one_linked_before_writing_does(tmp_path, monkeypatch):
    """A big project's first sync writes each batch of reads as it comes and links after;
    forced here on a small one, with duplicate ids, parents and dependencies across batches."""
    from cinefile.daemon.api.scaffold import init_project
    from cinefile.daemon.index import sync as sync_module
    from cinefile.daemon.project import Project

    columns = ("key, path, type, title, content, frontmatter, content_hash, refs, problems, link_problems, errors, "
               "link_errors, state, stale_cause, stale_reason, (SELECT p.path FROM blocks AS p WHERE p.id = b.parent_id) AS parent")
    results = []
    for stream_from in (10**9, 1):
        monkeypatch.setattr(sync_module, "STREAM_FROM", stream_from)
        monkeypatch.setattr(sync_module, "_WRITE_BATCH", 4)
        project = init_project(tmp_path / f"film-{stream_from}", sample=True)
        write(project.root, "story/zz-copy.md", block_text("beat", "Same id as another.", id="mara"))
        write(project.root, "story/aa-child.md", block_text("beat", "Its parent comes later.", parent="zz-late-act"))
        write(project.root, "story/zz-late-act.md", block_text("act", "The act."))
        index = open_index(Project(project.root))
        report = sync(project, index)
        results.append((sorted(report.added), sorted(report.relinked),
                        index.query(f"SELECT {columns} FROM blocks AS b ORDER BY path"),
                        index.query("SELECT b.path, d.dst_key, d.type, t.path AS target FROM dependencies AS d "
                                    "JOIN blocks AS b ON b.id = d.src_block_id LEFT JOIN blocks AS t ON t.id = d.dst_block_id "
                                    "ORDER BY 1, 2"),
                        index.query("SELECT h.action, h.version, h.path, h.payload, t.data FROM history AS h "
                                    "JOIN texts AS t ON t.hash = h.text_hash ORDER BY h.path"),
                        index.error_count()))
        index.close()
    assert results[0] == results[1]
    assert results[0][-1] >= 1 and any(row["parent"] == "story/zz-late-act.md" for row in results[0][2])
