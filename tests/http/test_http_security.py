"""The guards every request passes: the token, the Host check against DNS rebinding, CORS off
unless configured, bodies limited, nothing read outside the project, and no traceback ever."""

from __future__ import annotations

import httpx
import pytest
from http_server import CORS_ORIGIN

pytest_plugins = ["http_fixtures"]  # the servers: tests/http can have no conftest (see http_fixtures)

PROBLEM = "application/problem+json"


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", "Basic dXNlcjpwYXNz", "Bearer", ""])
def test_every_request_needs_the_token(server, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    for path in ("/project", "/blocks", "/blocks/scene-1", "/events", "/openapi.json"):
        answer = httpx.get(server.base + path, headers=headers)
        assert answer.status_code == 401 and answer.headers["content-type"] == PROBLEM
        assert answer.headers["www-authenticate"].startswith("Bearer") and "Bearer TOKEN" in answer.json()["detail"]
    written = httpx.put(server.base + "/blocks/scene-1", headers=headers | {"If-Match": "*"}, content="gone")
    assert written.status_code == 401 and "gone" not in (server.root / "story/scene-1.md").read_text()


def test_the_token_scheme_is_case_insensitive_and_the_health_check_is_open(server):
    assert httpx.get(server.base + "/project", headers={"Authorization": f"bearer {server.token}"}).status_code == 200
    assert httpx.get(server.base + "/health").json() == {"status": "ok"}
    docs = httpx.get(server.base + "/docs")
    assert docs.status_code == 200 and "requestInterceptor" in docs.text and server.token not in docs.text


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1:1", "localhost", "127.0.0.2:{port}"])
def test_a_host_header_that_is_not_this_server_is_refused(server, host):
    port = server.host.rsplit(":", 1)[1]
    answer = httpx.get(server.base + "/project", headers={"Host": host.format(port=port),
                                                          "Authorization": f"Bearer {server.token}"})
    assert answer.status_code == 403 and answer.headers["content-type"] == PROBLEM
    assert httpx.get(server.base + "/health", headers={"Host": host.format(port=port)}).status_code == 403


@pytest.mark.parametrize("name", ["localhost", "127.0.0.1", "[::1]"])
def test_the_loopback_names_with_the_port_are_answered(server, name):
    port = server.host.rsplit(":", 1)[1]
    answer = httpx.get(server.base + "/project",
                       headers={"Host": f"{name}:{port}", "Authorization": f"Bearer {server.token}"})
    assert answer.status_code == 200


def test_cors_is_off_unless_configured(server, second_server):
    origin = {"Origin": CORS_ORIGIN}
    answer = httpx.get(server.base + "/project", headers=origin | {"Authorization": f"Bearer {server.token}"})
    assert "access-control-allow-origin" not in answer.headers
    preflight = httpx.options(server.base + "/project", headers=origin | {"Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in preflight.headers
    # The second server is started with --cors-origin CORS_ORIGIN.
    preflight = httpx.options(second_server.base + "/blocks/scene-1", headers=origin | {
        "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "authorization,if-match"})
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == CORS_ORIGIN
    other = httpx.options(second_server.base + "/project", headers={"Origin": "https://evil.example",
                                                                     "Access-Control-Request-Method": "GET"})
    assert other.headers.get("access-control-allow-origin") != "https://evil.example"
    unauthorized = httpx.get(second_server.base + "/project", headers=origin)
    assert unauthorized.status_code == 401


def test_bodies_are_limited(client):
    big = "x" * (5 * 2**20 + 1)
    answer = client.put("/blocks/scene-1", content=big, headers={"If-Match": "*"})
    assert answer.status_code == 413 and answer.headers["content-type"] == PROBLEM

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(6):
            yield b"y" * 2**20

    streamed = client.post("/import", content=chunks(), headers={"Content-Type": "text/plain"})
    assert streamed.status_code == 413


def test_bad_input_is_a_problem_never_a_500(client):
    cases = [("GET", "/blocks?limit=abc", None), ("GET", "/blocks/scene-1/diff?from=x", None),
             ("POST", "/blocks", b"{not json"), ("POST", "/blocks", b"[]"), ("POST", "/generations", b'{"ids": "scene-1"}'),
             ("POST", "/blocks/scene-1/undo", b'{"to": -1}'), ("PUT", "/blocks/scene-1", b"\xff\xfe"),
             ("DELETE", "/project", None), ("GET", "/no/such/route", None)]
    for method, path, body in cases:
        headers = {"Content-Type": "application/json"} if method == "POST" else {"If-Match": "*"}
        answer = client.request(method, path, content=body, headers=headers)
        assert 400 <= answer.status_code < 500, (method, path, answer.status_code, answer.text)
        assert answer.headers["content-type"] == PROBLEM and "Traceback" not in answer.text
        assert {"type", "title", "status", "detail", "instance"} <= set(answer.json())
