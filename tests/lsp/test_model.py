"""The server's in-memory model agrees with the index: the same stale state for every block
as sync computes, and buffers laid over the disk change it until they are dropped."""

from __future__ import annotations

import pytest
from cinefile.daemon.lsp.model import IndexRows, Model, node_of_block
from cinefile.format.parse import parse_text


def test_model_staleness_matches_the_index(sample, index_of):
    """Upstream-only staleness gives, for every block, the state the whole-project pass stored."""
    index = index_of(sample)
    model = Model()
    model.load(IndexRows(index).nodes())
    stored = {row["path"]: row["state"] for row in index.query("SELECT path, state FROM blocks")}
    assert {path: model.staleness(node).state for path, node in model.nodes.items()} == stored
    assert {n.id for n in model.impact("mara-raincoat")} == {"scene-1", "scene-1-breakdown", "scene-1-camera",
                                                             "shot-1a", "shot-1b"}


def test_a_buffer_overrides_the_disk_until_dropped(sample, index_of):
    """An edited buffer that renames a block's id moves references to it; dropping the
    buffer puts the disk version back."""
    index = index_of(sample)
    model = Model()
    model.load(IndexRows(index).nodes())
    text = (sample.root / "design/wheelhouse.md").read_text().replace("type: location", "type: location\nid: bridge")
    model.set_buffer(node_of_block(parse_text("design/wheelhouse.md", text)))
    assert model.owner("wheelhouse") is None and model.owner("bridge").path == "design/wheelhouse.md"
    model.drop_buffer("design/wheelhouse.md")
    assert model.owner("wheelhouse").path == "design/wheelhouse.md" and model.owner("bridge") is None


def test_a_first_start_indexes_the_project_then_loads_each_block_once(sample, monkeypatch):
    """With no index yet, the server syncs and then fills its model from the index; the
    sync's report is not loaded a second time through `on_sync`."""
    import gc

    from cinefile.daemon.lsp.server import CinefileServer

    server = CinefileServer()
    assert server.open_project([sample.root]) is None
    reloads = []
    monkeypatch.setattr(server, "on_sync", reloads.append)
    try:
        server.load()
        assert reloads == []
        assert len(server.model.nodes) == 20 and server.model.owner("mara-raincoat") is not None
        assert gc.isenabled()
    finally:
        server.stop()


def test_watching_off_the_event_loop_reports_instead_of_notifying(sample, monkeypatch):
    """`watch` runs in a thread, so it hands back what to tell the user; after shutdown it
    starts nothing."""
    import shutil

    from cinefile.daemon.lsp.server import CinefileServer

    server = CinefileServer()
    assert server.open_project([sample.root]) is None
    monkeypatch.setattr(server, "notify_user", lambda *args: pytest.fail("notified from a thread"))
    server.stopping.set()
    assert server.watch() is None and server.watcher is None
    server.stopping.clear()
    shutil.rmtree(sample.root)
    message = server.watch()
    assert message is not None and message.startswith("cinefile: ") and "gone" in message
    assert server.watcher is None
    server.stop()


def test_shutdown_while_the_watcher_starts_waits_for_it_then_stops_it(sample, monkeypatch):
    """`stop` waits for a watcher still starting in its thread, then stops it, and only
    then closes the index the watcher syncs through (closing it under a running sync
    crashed the server)."""
    import threading

    from cinefile.daemon.lsp.server import CinefileServer
    from cinefile.daemon.watch.watcher import Watcher

    entered, release, started = threading.Event(), threading.Event(), []
    real_start = Watcher.start

    def slow_start(self):
        started.append(self)
        entered.set()
        release.wait()
        real_start(self)

    monkeypatch.setattr(Watcher, "start", slow_start)
    server = CinefileServer()
    assert server.open_project([sample.root]) is None
    watching = threading.Thread(target=server.watch)
    watching.start()
    entered.wait()
    stopping = threading.Thread(target=server.stop)
    stopping.start()
    stopping.join(0.2)
    assert stopping.is_alive() and server.index is not None, "stop went ahead while the watcher was starting"
    release.set()
    watching.join()
    stopping.join()
    assert started[0].finished.is_set() and server.watcher is None and server.index is None
