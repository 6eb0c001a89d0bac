"""A fresh clone's first index, built by a process the server forks while it has one thread,
so that the sync may fork read workers; let go unused when the index is there."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from cinefile.daemon.index.sync import open_index
from cinefile.daemon.lsp import first_index
from cinefile.daemon.lsp.first_index import FirstIndex

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked on Linux only")


@pytest.fixture(autouse=True)
def one_thread(monkeypatch):
    """Whatever threads other tests left running, fork as the server does at its start."""
    monkeypatch.setattr(first_index, "fork_is_safe", lambda: True)


def fresh_clone(project):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(f"{project.db_path}{suffix}"):
            os.remove(f"{project.db_path}{suffix}")
    return project


def test_it_builds_the_index_of_a_fresh_clone_and_exits(sample):
    fresh_clone(sample)
    builder = FirstIndex()
    process = builder._child.process
    assert builder.build(sample.root) is True
    assert not process.is_alive()
    index = open_index(sample)
    try:
        assert index.query("SELECT count(*) AS n FROM blocks WHERE state IS NOT NULL")[0]["n"] == 20
    finally:
        index.close()


def test_let_go_unused_it_exits():
    builder = FirstIndex()
    process = builder._child.process
    builder.release()
    assert not process.is_alive()
    assert builder.build("/nowhere") is False  # nothing left to build with


def test_a_failure_in_the_forked_process_is_a_no(tmp_path):
    assert FirstIndex().build(tmp_path / "not-a-project") is False


def test_with_threads_running_nothing_is_forked(monkeypatch, sample):
    monkeypatch.setattr(first_index, "fork_is_safe", lambda: False)
    builder = FirstIndex()
    assert builder._child is None and builder.build(sample.root) is False


def test_a_server_that_never_lets_it_go_still_exits():
    """multiprocessing waits for a non-daemon child at exit; the process is let go first."""
    script = "from cinefile.daemon.lsp.first_index import FirstIndex\nbuilder = FirstIndex()\nassert builder._child\n"
    done = subprocess.run([sys.executable, "-c", script], timeout=60, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_server_loads_the_index_the_forked_process_built(sample, monkeypatch):
    from cinefile.daemon.lsp import server as server_module
    from cinefile.daemon.lsp.server import CinefileServer

    fresh_clone(sample)
    server = CinefileServer()
    server.fork_first_index()
    assert server.open_project([sample.root]) is None
    monkeypatch.setattr(server_module, "sync", lambda *args, **kwargs: pytest.fail("synced in the server"))
    try:
        server.load()
        assert len(server.model.nodes) == 20 and server.first_index is None
    finally:
        server.stop()
