"""Paid providers' keys sent with requests are used, and never stored, logged or echoed: after
a session of requests carrying them (a model list, a plan, generations that reach a provider
which echoes the key back in its error), neither key is in any response, on the event stream,
in the server's output, or in any file of the project, project.db included."""

from __future__ import annotations

import secrets

from http_server import EventStream, provider_seen

pytest_plugins = ["http_fixtures"]  # the servers: tests/http can have no conftest (see http_fixtures)

OPENROUTER_KEY = "sk-or-v1-leaktest" + secrets.token_hex(16)
REPLICATE_KEY = "r8_leaktest" + secrets.token_hex(16)
KEYS = (OPENROUTER_KEY, REPLICATE_KEY)


def test_keys_sent_with_requests_are_never_stored_logged_or_echoed(server):
    """On the first server, which logs every request (--verbose)."""
    root, answers = server.root, []
    stream = EventStream(server)
    client = server.client(**{"X-OpenRouter-Key": OPENROUTER_KEY, "X-Replicate-Key": REPLICATE_KEY})
    answers.append(client.get("/models", params={"kind": "text"}))
    answers.append(client.get("/models", params={"kind": "image", "refresh": True}))
    answers.append(client.post("/generations", json={"ids": ["scene-2"], "dry_run": True, "overwrite": True}))
    for request in ({"ids": ["scene-2"], "overwrite": True}, {"ids": ["shot-1a"], "kind": "image"}):
        job = client.post("/generations", json=request).json()
        stream.next(lambda e, job=job: e.kind == "job" and e.data["id"] == job["id"] and e.data["finished"],
                    "the job's end")
        answers.append(client.get(f"/jobs/{job['id']}"))
    answers.append(client.post("/generations", json={"ids": ["Not An Id"]}))  # a 422 with the keys sent
    answers.append(client.get("/project", headers={"Authorization": "Bearer wrong"}))  # a 401 too
    answers.append(client.get("/cost"))
    stream.close()
    assert any(OPENROUTER_KEY in seen for seen in provider_seen()), "the key never reached the provider"
    assert any("refused the API key" in a.text for a in answers), "no call reached a provider that echoes keys"
    events, output = repr(stream.received), server.output()
    for key in KEYS:
        for answer in answers:
            assert key not in answer.text and key not in str(answer.headers), answer.request.url
        assert key not in events
        assert key not in output
        for path in root.rglob("*"):
            if path.is_file():
                assert key.encode() not in path.read_bytes(), path
