"""Generation over HTTP (the free offline mock: the server has no keys): a dry run's plan, a
job followed to its end and on the event stream, a cancel; the media it made, served by hash
with ranges; and the routes around it: models, cost, graph, problems."""

from __future__ import annotations

import pytest
from http_server import EventStream, eventually

pytest_plugins = ["http_fixtures"]  # the servers: tests/http can have no conftest (see http_fixtures)


def _finished(client, job_id: str) -> dict:
    return eventually(lambda: (job := client.get(f"/jobs/{job_id}").json())["status"] in ("done", "failed", "cancelled")
                      and job, f"job {job_id} finished")


def test_a_dry_run_answers_with_prompts_and_estimates(client):
    answer = client.post("/generations", json={"ids": ["beat-2"], "dry_run": True, "overwrite": True})
    assert answer.status_code == 200
    plan = answer.json()
    assert [job["id"] for job in plan["jobs"]] == ["beat-2"] and plan["jobs"][0]["prompt"]
    assert plan["estimate_usd"] == 0 and any("mock" in note for note in plan["notes"])


def test_a_selection_that_names_nothing_is_refused(client):
    assert client.post("/generations", json={}).status_code == 422
    assert client.post("/generations", json={"ids": ["scene-1"], "stale": True}).status_code == 422
    assert client.post("/generations", json={"ids": ["no-such"]}).status_code == 404
    assert client.post("/generations", json={"ids": ["scene-1"], "mode": "cheap"}).status_code == 422
    assert client.get("/jobs/0123456789abcdef").status_code == 404
    assert client.get("/jobs/not-a-job").status_code == 422


def test_a_job_runs_reports_progress_and_links_its_still(server, client):
    stream = EventStream(server)
    try:
        started = client.post("/generations", json={"ids": ["shot-2a"], "kind": "image"})
        assert started.status_code == 202
        job = started.json()
        assert started.headers["location"] == f"/api/jobs/{job['id']}" and job["progress"]["total"] == 1
        stream.next(lambda e: e.kind == "job" and e.data["id"] == job["id"] and e.data["status"] == "done", "the job's end")
    finally:
        stream.close()
    done = _finished(client, job["id"])
    assert done["progress"] == {"done": 1, "total": 1} and done["outcomes"][0]["status"] == "done" and done["complete"]
    sha = done["outcomes"][0]["assets"][0]
    card = client.get("/blocks/shot-2a").json()
    assert sha in [a["sha256"] for a in card["assets"]]

    whole = client.get(f"/assets/{sha}")
    assert whole.status_code == 200 and whole.headers["content-type"] == "image/png"
    assert "immutable" in whole.headers["cache-control"] and whole.headers["etag"] == f'"{sha}"'
    part = client.get(f"/assets/{sha}", headers={"Range": "bytes=1-3"})
    assert part.status_code == 206 and part.content == whole.content[1:4]
    assert part.headers["content-range"] == f"bytes 1-3/{len(whole.content)}"
    beyond = client.get(f"/assets/{sha}", headers={"Range": f"bytes={len(whole.content) + 5}-"})
    assert beyond.status_code == 416 and beyond.headers["content-type"] == "application/problem+json"
    assert client.get(f"/assets/{sha}", headers={"If-None-Match": f'"{sha}"'}).status_code == 304

    approved = client.post("/blocks/shot-2a/approve", json={"kind": "image"}).json()
    assert approved["sha256"] == sha and not approved["already"]


def test_a_job_cancelled_stops_what_is_left(client):
    stale = client.post("/generations", json={"phase": "story", "kind": "text", "overwrite": True}).json()
    cancelled = client.delete(f"/jobs/{stale['id']}")
    assert cancelled.status_code == 200 and cancelled.json()["cancel_requested"] in (True, False)
    job = _finished(client, stale["id"])
    # Cancelled unless it was done first (the mock is fast); either way it says so, and stops.
    assert job["status"] in ("cancelled", "done") and job["finished"]


@pytest.mark.parametrize("sha", ["0" * 64, "A" * 64, "../../cinefile.toml", "abc"])
def test_only_known_assets_by_hash_are_served(client, sha):
    assert client.get(f"/assets/{sha}").status_code in (404, 422)


def test_an_asset_that_is_a_symlink_is_not_served(server, client):
    job = _finished(client, client.post("/generations", json={"ids": ["shot-1b"], "kind": "image"}).json()["id"])
    sha = job["outcomes"][0]["assets"][0]
    asset = next((server.root / "assets").glob(f"{sha}.*"))
    data = asset.read_bytes()
    secret = server.root.parent / "outside.txt"
    secret.write_text("not for the web")
    asset.unlink()
    asset.symlink_to(secret)
    try:
        assert client.get(f"/assets/{sha}").status_code == 404
    finally:
        asset.unlink()
        asset.write_bytes(data)


def test_models_cost_graph_and_problems(client):
    models = client.get("/models", params={"kind": "text", "tier": "final"}).json()
    assert models["models"] and all(m["kind"] == "text" and m["mode"] == "final" for m in models["models"])
    assert any("mock" in note for note in models["notes"])  # no key: what runs is the mock, and it says so
    assert client.get("/models", params={"kind": "smell"}).status_code == 422
    cost = client.get("/cost").json()
    assert cost["total"] == 0 and cost["calls"] >= 0
    assert "scene-1" in client.get("/graph").json()["graph"]
    assert client.get("/graph", params={"format": "dot"}).json()["graph"].startswith("digraph")
    assert client.get("/graph", params={"format": "svg"}).status_code == 422
    assert isinstance(client.get("/problems").json(), list)
