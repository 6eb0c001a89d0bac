"""The event stream: an edit on disk, seen by the server's watcher, arrives as events; a
client resumes with Last-Event-ID; heartbeats keep an idle stream open. (That the stream
ends cleanly when the server stops is in test_http_server.py.)"""

from __future__ import annotations

from http_server import EventStream, eventually

pytest_plugins = ["http_fixtures"]  # the servers: tests/http can have no conftest (see http_fixtures)


def _edit_on_disk(server, rel: str, line: str) -> None:
    path = server.root / rel
    path.write_text(path.read_text() + f"\n{line}\n")


def test_an_edit_on_disk_becomes_sync_state_and_problem_events(server):
    stream = EventStream(server)
    try:
        _edit_on_disk(server, "design/wheelhouse.md", "The radar sweeps.")
        synced = stream.next(lambda e: e.kind == "sync" and "design/wheelhouse.md" in e.data["modified"],
                             "a sync event for the edited file")
        assert int(synced.id) > 0
        state = stream.next(lambda e: e.kind == "state", "the state of the blocks it touched")
        assert any(b["id"] == "wheelhouse" for b in state.data["blocks"])
        problems = stream.next(lambda e: e.kind == "problems", "the problems in them")
        assert "design/wheelhouse.md" in problems.data["paths"]
    finally:
        stream.close()


def test_a_broken_edit_is_reported_with_its_problem(server):
    stream = EventStream(server)
    try:
        (server.root / "design/broken-prop.md").write_text("---\ntype: prop\ntitle: [unclosed\n---\nBody.\n")
        event = stream.next(lambda e: e.kind == "problems" and "design/broken-prop.md" in e.data["paths"],
                            "the problems of the broken file")
        assert any(p["path"] == "design/broken-prop.md" and p["severity"] == "error" for p in event.data["problems"])
    finally:
        (server.root / "design/broken-prop.md").unlink()
        stream.close()


def test_last_event_id_resumes_after_the_last_event_seen(server):
    first = EventStream(server)
    try:
        _edit_on_disk(server, "design/brass-compass.md", "It points north.")
        seen = first.next(lambda e: e.kind == "sync" and "design/brass-compass.md" in e.data["modified"], "the first edit")
    finally:
        first.close()
    _edit_on_disk(server, "design/captain-ilse.md", "She hums.")  # while nobody listens
    client = server.client()
    eventually(lambda: "She hums." in client.get("/blocks/captain-ilse").json()["body"], "the watcher synced the edit")
    resumed = EventStream(server, last_event_id=seen.id)
    try:
        missed = resumed.next(lambda e: e.kind == "sync", "the sync missed while away")
        assert int(missed.id) > int(seen.id) and "design/captain-ilse.md" in missed.data["modified"]
    finally:
        resumed.close()


def test_an_id_the_server_never_gave_starts_with_a_reset(server):
    stream = EventStream(server, last_event_id="12")
    try:
        reset = stream.next(lambda e: True, "the first event")
        assert reset.kind == "reset" and "read the project again" in reset.data["reason"]
    finally:
        stream.close()


def test_an_idle_stream_gets_heartbeats(server):
    stream = EventStream(server)  # the session's server beats every second
    try:
        stream.next_comment("heartbeat", timeout=5)
    finally:
        stream.close()
