"""Exports written and read back over HTTP, and a Fountain screenplay imported."""

from __future__ import annotations

pytest_plugins = ["http_fixtures"]  # the servers: tests/http can have no conftest (see http_fixtures)

SCREENPLAY = """Title: Harbour Lights

# Act One

= The harbour wakes.

EXT. FISH MARKET - DAWN

GULLS wheel over the stalls. NORA (40) hoses down the ice.

NORA
Morning, gulls.
"""


def test_export_formats_are_listed_written_and_read_back(client, server):
    names = [f["name"] for f in client.get("/exports").json()]
    assert {"summary", "json", "fountain"} <= set(names)
    written = client.post("/exports/fountain", json={}).json()
    assert written["written"] == ["exports/screenplay.fountain"]
    screenplay = client.get("/exports/screenplay.fountain")
    assert screenplay.status_code == 200
    assert screenplay.content == (server.root / "exports/screenplay.fountain").read_bytes()
    part = client.get("/exports/screenplay.fountain", headers={"Range": "bytes=0-4"})
    assert part.status_code == 206 and part.content == screenplay.content[:5]


def test_an_unknown_format_or_file_is_a_problem(client):
    unknown = client.post("/exports/fountian")
    assert unknown.status_code == 422 and "did you mean `fountain`" in unknown.json()["detail"]
    assert client.get("/exports/nothing.csv").status_code == 404
    for outside in ("..%2Fcinefile.toml", ".hidden", "%2Fetc%2Fpasswd"):
        assert client.get(f"/exports/{outside}").status_code in (404, 422)


def test_a_screenplay_imports_after_a_dry_run(client, server):
    plan = client.post("/import", params={"dry_run": True, "name": "harbour.fountain"}, content=SCREENPLAY,
                       headers={"Content-Type": "text/plain"})
    assert plan.status_code == 200, plan.text
    created = {block["type"] for block in plan.json()["created"]}
    assert {"act", "beat", "scene", "character", "location"} <= created
    assert plan.json()["source"] == "harbour.fountain"
    assert not any((server.root / block["path"]).exists() for block in plan.json()["created"])
    done = client.post("/import", content=SCREENPLAY, headers={"Content-Type": "text/plain"}).json()
    assert all((server.root / block["path"]).is_file() for block in done["created"])
    scene = next(block["id"] for block in done["created"] if block["type"] == "scene")
    assert client.get(f"/blocks/{scene}").status_code == 200
    binary = client.post("/import", content=b"\xff\xfe\x00bad", headers={"Content-Type": "text/plain"})
    assert binary.status_code == 422
