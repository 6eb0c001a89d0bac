"""The second server's project, tests/projects/bad-corpus (a file for every way a block can be
broken): every block still answers with its card, and every problem arrives at its exact
range, as the index has it."""

from __future__ import annotations

import json

from http_server import PROJECTS

pytest_plugins = ["http_fixtures"]  # the servers: tests/http can have no conftest (see http_fixtures)

EXPECTED = json.loads((PROJECTS / "bad-corpus.expected.json").read_text())


def test_every_problem_is_served_at_its_range(second_server):
    client = second_server.client()
    found: dict[str, list] = {}
    for p in client.get("/problems").json():
        if p["path"] in EXPECTED and not (p["code"] == "missing-field" and "missing-field" not in p["path"]):
            found.setdefault(p["path"], []).append([p["code"], p["severity"], p["line"], p["col"], p["end_line"],
                                                    p["end_col"]])
    assert found == EXPECTED


def test_every_block_answers_with_its_card_however_broken(second_server):
    client = second_server.client()
    blocks = client.get("/blocks", params={"limit": 1000, "tree": 1}).json()["blocks"]
    assert len(blocks) >= 40
    for block in blocks:
        answer = client.get(f"/blocks/{block['id']}")
        assert answer.status_code == 200, (block, answer.text)
        card = answer.json()
        if card["text"] is None:  # not UTF-8: the card says so, and there is no text to guard a write with
            assert "etag" not in answer.headers and "not-utf8" in [p["code"] for p in card["problems"]]
        else:
            assert card["text"] == (second_server.root / card["path"]).read_text()
        assert client.get(f"/blocks/{block['id']}/impact").status_code == 200
        assert client.get(f"/blocks/{block['id']}/history").json()[-1]["version"] >= 1
    unreadable = client.get("/blocks/not-utf8", headers={"Accept": "text/markdown"})
    assert unreadable.status_code == 422 and "UTF-8" in unreadable.json()["detail"]
