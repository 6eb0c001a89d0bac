"""Blocks over HTTP, through the real server: lists with filters and pages, cards with their
ETag, writes under If-Match, new blocks, deletes and what brings them back."""

from __future__ import annotations

pytest_plugins = ["http_fixtures"]  # the servers: tests/http can have no conftest (see http_fixtures)

PROBLEM = "application/problem+json"


def test_the_project_at_a_glance(client):
    project = client.get("/project").json()
    assert project["name"] == "Night Ferry" and project["blocks"] >= 20
    assert project["phases"]["Story"]["scene"] >= 2 and project["stale"] >= 1


def test_lists_filter_and_page_with_a_cursor(client):
    everything = client.get("/blocks", params={"limit": 1000}).json()
    assert everything["total"] == len(everything["blocks"]) and everything["next_cursor"] is None
    paths = [b["path"] for b in everything["blocks"]]
    assert paths == sorted(paths)  # by path unless in story order
    seen, cursor = [], None
    while True:
        page = client.get("/blocks", params={"limit": 3} | ({"cursor": cursor} if cursor else {})).json()
        seen += [b["path"] for b in page["blocks"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == paths
    scenes = client.get("/blocks", params={"type": "scene", "state": "stale"}).json()["blocks"]
    assert scenes and all(b["type"] == "scene" and b["state"] == "stale" and b["stale_reason"] for b in scenes)
    assert [b["id"] for b in client.get("/blocks", params={"text": "HAULS THE CHAIN"}).json()["blocks"]] == ["scene-1"]


def test_story_order_is_a_tree(client):
    blocks = client.get("/blocks", params={"tree": 1, "phase": "story", "limit": 1000}).json()["blocks"]
    ids = [b["id"] for b in blocks]
    assert ids.index("act-1") < ids.index("beat-1") < ids.index("scene-1")
    assert {b["id"]: b["depth"] for b in blocks}["scene-1"] > {b["id"]: b["depth"] for b in blocks}["act-1"]


def test_a_bad_filter_or_cursor_is_a_problem_saying_what_to_use(client):
    answer = client.get("/blocks", params={"type": "scen"})
    assert answer.status_code == 422 and answer.headers["content-type"] == PROBLEM
    assert "did you mean `scene`" in answer.json()["detail"]
    answer = client.get("/blocks", params={"cursor": "%%%"})
    assert answer.status_code == 422 and "next_cursor" in answer.json()["detail"]


def test_a_card_has_its_file_and_the_files_hash_as_etag(client, server):
    answer = client.get("/blocks/scene-1")
    card = answer.json()
    assert answer.status_code == 200 and answer.headers["etag"].strip('"') == card["file_hash"]
    assert card["text"] == (server.root / "story/scene-1.md").read_text()
    assert {"id": "mara", "type": "appears_in"} in card["dependencies"]
    assert card["state"] == "stale" and "mara-raincoat" in card["stale_reason"]
    assert client.get("/blocks/scene-1", headers={"If-None-Match": answer.headers["etag"]}).status_code == 304
    raw = client.get("/blocks/scene-1", headers={"Accept": "text/markdown"})
    assert raw.headers["content-type"].startswith("text/markdown") and raw.text == card["text"]


def test_an_unknown_or_invalid_id_is_a_problem(client):
    missing = client.get("/blocks/scene-9")
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM
    body = missing.json()
    assert set(body) >= {"type", "title", "status", "detail", "instance"} and "scene-2" in body["detail"]
    for bad in ("Scene-1", "..%2F..%2Fcinefile.toml", "-x"):
        assert client.get(f"/blocks/{bad}").status_code in (404, 422)


def _new(client, block_id: str, **fields) -> dict:
    answer = client.post("/blocks", json={"type": "scene", "id": block_id, "parent": "beat-1"} | fields)
    assert answer.status_code == 201, answer.text
    assert answer.headers["location"] == f"/api/blocks/{block_id}"
    return answer.json()


def test_a_write_needs_the_etag_it_read_and_a_stale_one_gets_412(client, server):
    _new(client, "http-write", title="Written Over HTTP")
    first = client.get("/blocks/http-write")
    text = first.json()["text"] + "\nA line from HTTP.\n"
    put = client.put("/blocks/http-write", content=text, headers={"If-Match": first.headers["etag"],
                                                                  "Content-Type": "text/markdown"})
    assert put.status_code == 200 and put.json()["text"] == text
    assert put.headers["etag"] != first.headers["etag"] and "A line from HTTP." in put.json()["body"]
    again = client.put("/blocks/http-write", content=text + "more\n", headers={"If-Match": first.headers["etag"]})
    assert again.status_code == 412 and again.json()["current_text"] == text
    assert (server.root / "story/http-write.md").read_text() == text
    assert client.put("/blocks/http-write", content="x").status_code == 428
    as_json = client.put("/blocks/http-write", content="{}", headers={"If-Match": "*", "Content-Type": "application/json"})
    assert as_json.status_code == 415
    forced = client.put("/blocks/http-write", content=text + "forced\n", headers={"If-Match": "*"})
    assert forced.status_code == 200 and forced.json()["text"].endswith("forced\n")


def test_new_blocks_follow_the_types_rules(client):
    card = _new(client, "http-new", title="New Over HTTP")
    assert card["type"] == "scene" and card["parent"] == "beat-1"
    taken = client.post("/blocks", json={"type": "scene", "id": "http-new"})
    assert taken.status_code == 422 and "already" in taken.json()["detail"]
    wrong_parent = client.post("/blocks", json={"type": "scene", "id": "http-orphan", "parent": "mara"})
    assert wrong_parent.status_code == 422 and "parent" in wrong_parent.json()["detail"]
    assert client.post("/blocks", json={"type": "nonsense"}).status_code == 422
    assert client.post("/blocks", json={"type": "scene", "id": "../x"}).status_code == 422


def test_delete_moves_to_history_and_undo_brings_it_back(client, server):
    _new(client, "http-gone")
    etag = client.get("/blocks/http-gone").headers["etag"]
    assert client.delete("/blocks/http-gone", headers={"If-Match": '"' + "0" * 64 + '"'}).status_code == 412
    deleted = client.delete("/blocks/http-gone", headers={"If-Match": etag})
    assert deleted.status_code == 200 and "undo" in deleted.json()["message"]
    assert not (server.root / "story/http-gone.md").exists()
    assert client.get("/blocks/http-gone").status_code == 404
    history = client.get("/blocks/http-gone/history").json()
    assert history[-1]["text"] is None  # its deletion
    undone = client.post("/blocks/http-gone/undo", json={})
    assert undone.status_code == 200, undone.text
    assert (server.root / "story/http-gone.md").exists() and client.get("/blocks/http-gone").status_code == 200


def test_history_diff_and_undo_of_an_edit(client):
    _new(client, "http-history")
    read = client.get("/blocks/http-history")
    client.put("/blocks/http-history", content=read.json()["text"] + "Second version.\n",
               headers={"If-Match": read.headers["etag"]})
    versions = [r["version"] for r in client.get("/blocks/http-history/history").json()]
    assert versions == [1, 2]
    diff = client.get("/blocks/http-history/diff", params={"from": 1, "to": 2}).json()["diff"]
    assert "+Second version." in diff
    assert client.get("/blocks/http-history/diff", params={"from": 9}).status_code == 422
    undone = client.post("/blocks/http-history/undo", json={"to": 1}).json()
    assert undone["restored"] == 1 and "Second version." not in client.get("/blocks/http-history").json()["text"]


def test_a_commit_of_the_file_is_a_version_to_diff_and_restore(client, server):
    import subprocess

    card = _new(client, "http-committed")
    git = ["git", "-C", str(server.root), "-c", "user.name=Ilse", "-c", "user.email=ilse@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", card["path"]], check=True)  # this block alone: the others keep their history
    subprocess.run([*git, "commit", "-qm", "First draft"], check=True)
    commit = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    read = client.get("/blocks/http-committed")
    client.put("/blocks/http-committed", content=read.json()["text"] + "Later.\n", headers={"If-Match": read.headers["etag"]})
    [from_git] = [r for r in client.get("/blocks/http-committed/history").json() if r["commit"]]
    assert (from_git["commit"], from_git["how"], from_git["by"], from_git["subject"]) == (commit, "commit", "Ilse", "First draft")
    diff = client.get("/blocks/http-committed/diff", params={"from": commit[:7]}).json()
    assert diff["from_version"] == commit[:7] and "+Later." in diff["diff"]
    undone = client.post("/blocks/http-committed/undo", json={"to": commit[:7]}).json()
    assert undone["restored"] == commit[:7] and "Later." not in client.get("/blocks/http-committed").json()["text"]


def test_impact_mark_fresh_and_approve(client):
    impact = [b["id"] for b in client.get("/blocks/mara-raincoat/impact").json()]
    assert "scene-1" in impact and "shot-1a" in impact
    dry = client.post("/blocks/scene-2/mark-fresh", json={"dry_run": True}).json()
    assert dry["dry_run"] and dry["written"] == []
    assert _new(client, "http-fresh")["state"] != "fresh"
    marked = client.post("/blocks/http-fresh/mark-fresh").json()
    assert marked["marked"] == ["http-fresh"] and marked["written"] == ["story/http-fresh.md"]
    assert client.get("/blocks/http-fresh").json()["state"] == "fresh"
    nothing = client.post("/blocks/scene-2/approve", json={"kind": "image"})
    assert nothing.status_code == 422 and "generate one first" in nothing.json()["detail"]
