"""`cinefile serve` itself: catching up and keeping up with the files, the token it makes and
where it keeps it, what it refuses to start with, and how it stops."""

from __future__ import annotations

import socket
import stat
import subprocess
import sys

import httpx
from http_server import TOKEN, EventStream, eventually, sample_copy, server_env, start

pytest_plugins = ["http_fixtures"]  # the servers: tests/http can have no conftest (see http_fixtures)


def _serve(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cinefile.cli", "serve", *args], capture_output=True, text=True,
                          env=server_env(), timeout=60)


def test_a_servers_life_from_catching_up_to_a_clean_stop(tmp_path):
    root = sample_copy(tmp_path)
    mara = root / "design/mara.md"
    mara.write_text(mara.read_text() + "\nEdited while nobody watched.\n")
    server = start(root, env=server_env())  # no token given: it makes one
    try:
        kept = root / "project.db-token"
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
        token = kept.read_text().strip()
        printed = server.out.read_text()
        assert f"token: {token}" in printed and f"/api/docs#token={token}" in printed and len(token) >= 32
        client = server.client(token)
        assert "Edited while nobody watched." in client.get("/blocks/mara").json()["body"]
        mara.write_text(mara.read_text() + "\nAnd while it runs.\n")
        eventually(lambda: "And while it runs." in client.get("/blocks/mara").json()["body"], "the watcher synced it")
        stream = EventStream(server)
    finally:
        assert server.stop() == 0, server.output()
    assert stream.ended(), "the event stream is still open after the server stopped"
    assert not kept.exists() and server.out.read_text().rstrip().endswith("stopped")
    assert "Traceback" not in server.output()


def test_a_given_token_is_not_printed(server):
    assert server.token == TOKEN and TOKEN not in server.out.read_text()
    assert httpx.get(server.base + "/project", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_what_it_refuses_to_start_with_is_one_line(tmp_path):
    root = str(sample_copy(tmp_path))
    beyond = _serve(root, "--host", "0.0.0.0", "--port", "0")
    assert beyond.returncode == 2 and "--token" in beyond.stderr and len(beyond.stderr.strip().splitlines()) == 1
    short = _serve(root, "--token", "short", "--port", "0")
    assert short.returncode == 2 and "16 characters" in short.stderr
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        port = taken.getsockname()[1]
        in_use = _serve(root, "--port", str(port))
    finally:
        taken.close()
    assert in_use.returncode == 2 and f"port {port} is in use" in in_use.stderr and "--port" in in_use.stderr
    assert not (tmp_path / "night-ferry" / "project.db-token").exists()
