"""Reading many files in forked workers: the same reads as one process, whatever happens
to a worker, and never from a process with threads."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import pytest
from cinefile.daemon.index import read_pool
from cinefile.daemon.index.sync import sync
from cinefile.daemon.index.walk import walk
from conftest import block_text, write
from watch_helpers import eventually

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")


def _project(project, count: int):
    for i in range(count):
        deps = [f"beat-{(i + 1) % count:04d}"] if i % 3 else []
        write(project.root, f"story/beat-{i:04d}.md", block_text("beat", f"Beat {i}: the ferry turns. " * 5, dependencies=deps))
    write(project.root, "story/broken.md", "---\ntype: [unclosed\n---\n")
    write(project.root, "story/binary.md", b"\x00\x01\x02")
    return sorted(walk(project).files.items())


def test_workers_read_exactly_what_one_process_reads(empty):
    files = _project(empty, 120)
    here = dict(read_pool._read_here(empty.root, files, None, 0, len(files)))
    seen: list[tuple[int, int]] = []
    in_workers = dict(read_pool._read_in_workers(empty.root, files, lambda done, total: seen.append((done, total)), 2))
    assert in_workers == here and len(here) == len(files)
    assert seen[-1] == (len(files), len(files))


def test_a_worker_that_dies_loses_nothing(empty, monkeypatch):
    files = _project(empty, 60)

    def die(send, root, share):
        if share[0][0] == files[0][0]:
            os._exit(1)  # the first worker dies at once; the second works
        real_work(send, root, share)

    real_work = read_pool._work
    monkeypatch.setattr(read_pool, "_work", die)
    found = dict(read_pool._read_in_workers(empty.root, files, None, 2))
    assert found == dict(read_pool._read_here(empty.root, files, None, 0, len(files)))


def test_no_workers_for_few_files_or_from_a_threaded_process(monkeypatch):
    assert read_pool.worker_count(10) == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    # Earlier tests may leave threads of libraries running (fsspec's IO loop): count from here.
    baseline = threading.active_count()
    monkeypatch.setattr(threading, "active_count", lambda: real_count() - baseline + 1)
    assert read_pool.worker_count(10_000) == 2
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert read_pool.worker_count(10_000) == 1
    finally:
        stop.set()
        thread.join()


real_count = threading.active_count


def test_a_sync_through_workers_indexes_what_a_serial_sync_does(tmp_path, monkeypatch):
    from cinefile.daemon.api.scaffold import init_project
    from cinefile.daemon.index.sync import open_index

    columns = "key, path, type, title, content, content_hash, file_hash, refs, problems, link_problems, state, stale_reason"
    results = []
    for minimum in (10**9, 2):
        monkeypatch.setattr(read_pool, "MIN_FILES_FOR_WORKERS", minimum)
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
        project = init_project(tmp_path / f"film-{minimum}")
        _project(project, 90)
        index = open_index(project)
        report = sync(project, index)
        results.append((sorted(report.added), index.query(f"SELECT {columns} FROM blocks ORDER BY path"),
                        index.query("SELECT block_key, action, version, path, payload FROM history ORDER BY path")))
        index.close()
    assert results[0] == results[1] and len(results[0][1]) == 92


def test_killing_a_sync_while_workers_read_leaves_no_worker_behind(empty):
    for i in range(3000):
        write(empty.root, f"story/beat-{i:04d}.md", block_text("beat", "The ferry turns. " * 200))
    process = subprocess.Popen([sys.executable, "-m", "cinefile", "sync"], cwd=empty.root, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    group = process.pid
    eventually(lambda: len(_members(group)) >= 2 or process.poll() is not None, "the sync to start")
    assert len(_members(group)) >= 2, "the sync never started its workers"
    process.send_signal(signal.SIGKILL)
    process.wait()
    eventually(lambda: not _members(group), "every worker to be gone")


def _members(group: int) -> list[int]:
    """Live (not zombie) processes of a process group, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            found.append(int(entry))
    return found


def test_when_no_process_can_be_forked_the_sync_does_the_work_itself(tmp_path, monkeypatch):
    from cinefile.daemon.index import forked
    from cinefile.daemon.api.scaffold import init_project
    from cinefile.daemon.index.sync import open_index

    def refuse(self):
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(forked._CONTEXT.Process, "start", refuse)
    monkeypatch.setattr(read_pool, "MIN_FILES_FOR_WORKERS", 2)  # sync reads it from read_pool when it forks
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    project = init_project(tmp_path / "film")
    files = _project(project, 30)
    index = open_index(project)
    try:
        report = sync(project, index)
        assert len(report.added) == len(files) == 32
        assert index.query("SELECT count(*) AS n FROM blocks WHERE state IS NOT NULL")[0]["n"] == 32
    finally:
        index.close()
