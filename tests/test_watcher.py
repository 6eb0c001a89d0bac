"""The in-process Watcher, driven by real filesystem events in temp folders."""

from __future__ import annotations

import ctypes
import errno
import json
import logging
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from cinefile.daemon.atomic import write_atomic
from cinefile.daemon.project import Project
from cinefile.daemon.watch.watcher import Watcher, is_editor_temp
from watch_helpers import block_text, eventually
from watchdog.observers import inotify_c

SCENE = "story/scene-1.md"


@pytest.fixture
def watched(sample: Project, index_of):
    """Start a Watcher on a project; yields a function that returns it with its logs and reports."""
    running: list[Watcher] = []

    def start(project: Project = sample, **options) -> SimpleNamespace:
        logs, reports = [], []
        watcher = Watcher(project, index_of(project), on_sync=reports.append, log=logs.append, **options)
        watcher.start()
        running.append(watcher)
        eventually(watcher.ready.is_set, "the catch-up sync finished")
        return SimpleNamespace(watcher=watcher, logs=logs, reports=reports, root=project.root,
                               index=index_of(project))  # a second connection, as another process reads

    yield start
    for watcher in running:
        watcher.stop()


def row(w, path: str) -> dict | None:
    return w.index.block_at(path)


def count(w, prefix: str) -> int:
    return w.index.query("SELECT count(*) AS n FROM blocks WHERE path LIKE ?", [prefix + "%"])[0]["n"]


def reported_paths(w) -> set[str]:
    paths = set()
    for report in w.reports:
        paths.update(report.added, report.modified, report.removed, *report.renamed)
    return paths


def problem_codes(w, path: str) -> list[str]:
    found = row(w, path)
    return [p["code"] for p in json.loads(found["problems"])] if found else []


def test_catch_up_sync_on_start(sample, watched):
    (sample.root / "story/while-away.md").write_text(block_text("Away"))
    os.remove(sample.root / "story/scene-2.md")
    w = watched()
    assert row(w, "story/while-away.md")["title"] == "Away"
    assert row(w, "story/scene-2.md") is None
    assert w.reports and "story/while-away.md" in w.reports[0].added


def test_a_first_start_indexes_before_any_thread_starts(empty, watched, monkeypatch):
    """With an empty index, the first sync runs on the starting thread before the observer
    and the watcher's thread start, so that sync may fork its read workers; the catch-up
    sync after it finds nothing new. With an index, the catch-up sync does it all."""
    import threading

    import cinefile.daemon.watch.watcher as watcher_module

    for i in range(5):
        (empty.root / f"story/beat-{i}.md").write_text(block_text(f"Beat {i}"))
    events = []
    real_sync, real_start_observer = watcher_module.sync, Watcher._start_observer

    def spy_sync(project, index, **options):
        events.append("sync here" if threading.current_thread() is threading.main_thread() else "sync in its thread")
        return real_sync(project, index, **options)

    def spy_start_observer(self, polling):
        events.append("observer")
        real_start_observer(self, polling)

    monkeypatch.setattr(watcher_module, "sync", spy_sync)
    monkeypatch.setattr(Watcher, "_start_observer", spy_start_observer)
    monkeypatch.setattr(watcher_module, "fork_is_safe", lambda: True)  # whatever threads other tests left
    w = watched(empty)
    eventually(lambda: len(events) == 3, "the catch-up sync after the first one")
    assert events == ["sync here", "observer", "sync in its thread"]
    assert count(w, "story/beat-") == 5
    assert [sorted(r.added) for r in w.reports] == [[f"story/beat-{i}.md" for i in range(5)]]
    w.watcher.stop()

    events.clear()
    (empty.root / "story/beat-5.md").write_text(block_text("Beat 5"))
    w = watched(empty)
    eventually(lambda: len(events) == 2, "the catch-up sync")
    assert events == ["observer", "sync in its thread"] and count(w, "story/beat-") == 6


def test_create_modify_rename_delete(watched):
    w = watched()
    path = w.root / "story/new.md"
    path.write_text(block_text("New"))
    eventually(lambda: row(w, "story/new.md"), "a new file is indexed")
    path.write_text(block_text("Newer"))
    eventually(lambda: row(w, "story/new.md")["title"] == "Newer", "a modified file is re-read")
    block_id = row(w, "story/new.md")["id"]
    os.rename(path, w.root / "design/moved.md")
    eventually(lambda: row(w, "design/moved.md") and not row(w, "story/new.md"), "a rename across folders")
    assert row(w, "design/moved.md")["id"] == block_id  # the same block, moved: its history goes with it
    assert ("story/new.md", "design/moved.md") in [pair for r in w.reports for pair in r.renamed]
    os.remove(w.root / "design/moved.md")
    eventually(lambda: row(w, "design/moved.md") is None, "a deleted file leaves the index")
    assert w.watcher.error is None


def test_folder_moved_inside_out_back_and_deleted(watched, tmp_path):
    w = watched()
    before = count(w, "story/")
    (w.root / "drafts").mkdir()
    os.rename(w.root / "story", w.root / "drafts/story")
    eventually(lambda: count(w, "drafts/story/") == before and count(w, "story/") == 0, "a folder moved within the project")
    os.rename(w.root / "drafts/story", tmp_path / "outside")
    eventually(lambda: count(w, "drafts/") == 0, "a folder moved out of the project")
    os.rename(tmp_path / "outside", w.root / "story")
    eventually(lambda: count(w, "story/") == before, "a folder moved into the project")
    shutil.rmtree(w.root / "design")
    eventually(lambda: count(w, "design/") == 0, "a deleted folder")


def save_vscode(path: Path, text: str) -> None:
    temp = path.with_name(path.name + ".7f3a.tmp")
    temp.write_text(text)
    os.replace(temp, path)


def save_jetbrains(path: Path, text: str) -> None:
    temp, old = path.with_name(path.name + "___jb_tmp___"), path.with_name(path.name + "___jb_old___")
    temp.write_text(text)
    os.rename(path, old)
    os.rename(temp, path)
    os.remove(old)


def save_vim(path: Path, text: str) -> None:
    swap = path.with_name(f".{path.name}.swp")
    swap.write_bytes(b"b0VIM 9.0")
    probe = path.with_name("4913")  # Vim checks it may create files in the folder
    probe.write_bytes(b"")
    os.remove(probe)
    backup = path.with_name(path.name + "~")
    os.rename(path, backup)
    path.write_text(text)
    os.remove(backup)
    os.remove(swap)


def save_emacs(path: Path, text: str) -> None:
    lock = path.with_name(f".#{path.name}")
    os.symlink("someone@host.4242:1700000000", lock)  # a lock link to nowhere, as Emacs makes it
    autosave = path.with_name(f"#{path.name}#")
    autosave.write_text(text)
    os.rename(path, path.with_name(path.name + "~"))
    path.write_text(text)
    os.remove(autosave)
    os.remove(lock)


def save_in_place(path: Path, text: str) -> None:
    with open(path, "r+") as handle:
        handle.truncate(0)
        handle.flush()
        handle.write(text)


def save_cinefile(path: Path, text: str) -> None:
    write_atomic(path, text)


@pytest.mark.parametrize("save", [save_vscode, save_jetbrains, save_vim, save_emacs, save_in_place, save_cinefile])
def test_editor_save_patterns(watched, save):
    w = watched()
    original = row(w, SCENE)
    total = count(w, "")
    save(w.root / SCENE, block_text("Saved", type_="scene"))
    eventually(lambda: row(w, SCENE) and row(w, SCENE)["title"] == "Saved", f"{save.__name__} reaches the index")
    assert row(w, SCENE)["key"] == original["key"]
    assert count(w, "") == total
    assert reported_paths(w) <= {SCENE}, "an editor's temp file was taken for a block"


@pytest.mark.parametrize("name", ["4913", "4914", "scene.md~", ".scene.md.swp", "scene.md.swx", "#scene.md#", ".#scene.md",
                                  "scene.md___jb_tmp___", "scene.md___jb_old___", "scene.md.tmp"])
def test_editor_temp_names(name):
    assert is_editor_temp(name)


@pytest.mark.parametrize("name", ["scene-1.md", "4913.md", "shot-2a.md"])
def test_block_names_are_not_editor_temp(name):
    assert not is_editor_temp(name)


def test_burst_of_2000_files_is_a_few_batches(watched):
    w = watched()
    folder = w.root / "story/burst"
    folder.mkdir()
    for i in range(2000):
        (folder / f"b{i:04}.md").write_text(block_text(f"B{i}"))
    eventually(lambda: count(w, "story/burst/") == 2000, "2,000 new files indexed", timeout=60)
    assert len(w.reports) <= 40, f"{len(w.reports)} transactions for one burst"
    before = len(w.reports)
    for i in range(2000):
        (folder / f"b{i:04}.md").write_text(block_text(f"B{i} again"))
    again = "SELECT count(*) AS n FROM blocks WHERE title LIKE '% again'"
    eventually(lambda: w.index.query(again)[0]["n"] == 2000, "2,000 modified files re-read", timeout=60)
    assert len(w.reports) - before <= 40


def test_half_written_file_is_a_problem_until_finished(watched):
    w = watched()
    path = w.root / "story/half.md"
    with open(path, "w") as handle:
        handle.write('---\ntype: character\ntitle: "Half')
        handle.flush()
        eventually(lambda: problem_codes(w, "story/half.md"), "the half-written file is indexed with a problem")
        handle.write('way"\n---\nBody.\n')
    eventually(lambda: row(w, "story/half.md")["title"] == "Halfway", "the finished file is re-read")
    assert problem_codes(w, "story/half.md") == []
    assert w.watcher.error is None


def test_non_utf8_and_files_gone_before_the_read(watched):
    w = watched()
    (w.root / "story/latin1.md").write_bytes(b"---\ntype: character\ntitle: Caf\xe9\n---\n")
    eventually(lambda: problem_codes(w, "story/latin1.md") == ["not-utf8"], "a non-UTF-8 file is a problem")
    for i in range(100):
        flicker = w.root / f"story/flicker-{i}.md"
        flicker.write_text(block_text("Flicker"))
        flicker.unlink()
    (w.root / "story/after.md").write_text(block_text("After"))
    eventually(lambda: row(w, "story/after.md"), "the watcher still syncs after files vanished under it")
    assert count(w, "story/flicker-") == 0
    assert w.watcher.error is None


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file; the daemon test covers this with capabilities dropped")
def test_permission_denied_is_a_problem(watched):
    w = watched()
    os.chmod(w.root / SCENE, 0)
    eventually(lambda: problem_codes(w, SCENE) == ["unreadable"], "an unreadable file is a problem")
    os.chmod(w.root / SCENE, 0o644)
    eventually(lambda: problem_codes(w, SCENE) == [], "a readable file again")


def test_ignored_paths_and_ignore_file_changes(watched):
    w = watched()
    (w.root / "drafts").mkdir()
    (w.root / "drafts/a.md").write_text(block_text("Draft"))
    eventually(lambda: row(w, "drafts/a.md"), "a file in a new folder is indexed")
    (w.root / ".cinefileignore").write_text("drafts/\n")
    eventually(lambda: row(w, "drafts/a.md") is None, "a new ignore rule takes effect")
    ignored = ["drafts/b.md", "assets/x.md", "exports/x.md", ".git/x.md", ".hidden/x.md", "story/.x.md", "project.db-x.md"]
    for rel in ignored:
        (w.root / rel).parent.mkdir(exist_ok=True)
        (w.root / rel).write_text(block_text("Ignored"))
    (w.root / "story/sentinel.md").write_text(block_text("Sentinel"))
    eventually(lambda: row(w, "story/sentinel.md"), "the file written after the ignored ones")
    assert not any(row(w, rel) for rel in ignored)
    assert not reported_paths(w) & set(ignored)
    (w.root / "story/.gitignore").write_text("sentinel.md\n")
    eventually(lambda: row(w, "story/sentinel.md") is None, "an ignore file in a folder takes effect")


def test_root_moved_stops_the_watcher(watched, tmp_path):
    w = watched()
    os.rename(w.root, tmp_path / "elsewhere")
    eventually(lambda: w.watcher.wait(0), "the watcher stops when its root moves")
    assert "moved or deleted" in w.watcher.error
    assert w.logs[-1] == w.watcher.error


def fail_add_watch(fd, path, mask):
    ctypes.set_errno(errno.ENOSPC)
    return -1


def test_inotify_limit_at_start_falls_back_to_polling(watched, monkeypatch):
    monkeypatch.setattr(inotify_c, "inotify_add_watch", fail_add_watch)
    w = watched()
    assert w.watcher.observer_kind == "polling"
    assert [line for line in w.logs if "inotify watch limit" in line] == [w.logs[0]]
    (w.root / "story/polled.md").write_text(block_text("Polled"))
    eventually(lambda: row(w, "story/polled.md"), "a change seen by polling")


def test_inotify_limit_reached_later_falls_back_to_polling(watched, monkeypatch):
    w = watched()
    assert w.watcher.observer_kind == "inotify"
    monkeypatch.setattr(inotify_c, "inotify_add_watch", fail_add_watch)
    (w.root / "story/deeper").mkdir()
    eventually(lambda: w.watcher.observer_kind == "polling", "the watcher notices it is out of watches")
    (w.root / "story/deeper/unwatched.md").write_text(block_text("Unwatched"))
    eventually(lambda: row(w, "story/deeper/unwatched.md"), "a change in a folder inotify could not watch")
    assert len([line for line in w.logs if "inotify watch limit" in line]) == 1


def test_lost_events_bring_a_full_sync(watched):
    w = watched()
    with w.index.write() as db:
        db.execute("DELETE FROM blocks WHERE path = ?", [SCENE])
    logging.getLogger("watchdog.observers.inotify_c").warning("Inotify queue overflowed; filesystem events were lost")
    eventually(lambda: row(w, SCENE), "the full sync after lost events")
    assert any("dropped filesystem events" in line for line in w.logs)


def test_stop_is_prompt_and_idempotent(watched):
    w = watched()
    w.watcher.stop()
    assert w.watcher.wait(0)
    w.watcher.stop()


def test_a_locked_db_is_retried(watched):
    w = watched()
    w.watcher.index.db.execute("PRAGMA busy_timeout = 50")  # fail fast instead of waiting 30 s
    blocker = sqlite3.connect(w.root / "project.db")
    blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        (w.root / "story/waiting.md").write_text(block_text("Waiting"))
        eventually(lambda: any("sync failed" in line and "locked" in line for line in w.logs), "a failed sync said so")
    finally:
        blocker.rollback()
        blocker.close()
    eventually(lambda: row(w, "story/waiting.md"), "the batch retried once the db is free")
    assert w.watcher.error is None


def test_git_checkout_is_followed(sample, watched):
    files = 500  # the burst test above has 2,000; this one is about git's way of writing

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
                       cwd=sample.root, check=True, capture_output=True)

    folder = sample.root / "story/many"
    folder.mkdir()
    for i in range(files):
        (folder / f"m{i:04}.md").write_text(block_text(f"Main {i}"))
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "main")
    git("checkout", "-q", "-b", "other")
    for i in range(files):
        (folder / f"m{i:04}.md").write_text(block_text(f"Other {i}"))
    os.rename(folder / "m0000.md", folder / "renamed.md")
    git("add", "-A")
    git("commit", "-q", "-m", "other")
    git("checkout", "-q", "main")
    w = watched()
    git("checkout", "-q", "other")
    other = "SELECT count(*) AS n FROM blocks WHERE title LIKE 'Other %'"
    eventually(lambda: w.index.query(other)[0]["n"] == files and row(w, "story/many/m0000.md") is None,
               "the index follows a checkout", timeout=60)
    assert len(w.reports) <= 20


def test_reading_the_project_asks_the_kernel_for_no_events(watched, monkeypatch):
    """A full sync walks and reads the whole project; if opens and reads were watched, a big
    project's walk overflowed the inotify queue, which asked for another full sync, forever."""
    kinds: list[str] = []
    real_on_event = Watcher.on_event
    monkeypatch.setattr(Watcher, "on_event", lambda self, event: (kinds.append(event.event_type), real_on_event(self, event)))
    w = watched()
    for path in sorted(w.root.rglob("*.md")):
        path.read_bytes()
    (w.root / SCENE).write_text(block_text("Scene one, again"))
    eventually(lambda: SCENE in reported_paths(w), "the edit synced")
    assert kinds and not {"opened", "closed_no_write"} & set(kinds)
