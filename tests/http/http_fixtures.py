"""The HTTP tests' fixtures, loaded by each test module as a plugin (`pytest_plugins`). Not a
conftest.py: that would be imported as `conftest`, and the other folders' `from conftest
import ...` would then find it instead of tests/conftest.py; nor can this folder be a package,
whose name would be `http`, the standard library's.

Real `cinefile serve` processes, at a free port (`--port 0`) with a known token: the first on
a copy of the sample film; the second on a copy of tests/projects/bad-corpus (a file for every
way a block can be broken), with CORS configured. Schemathesis fuzzes the second and the
concurrency test loads it, so their writes stay off the first's project; tests that change a
project work on blocks of their own."""

from __future__ import annotations

import pytest
from http_server import CORS_ORIGIN, PROJECTS, TOKEN, Server, copy_of, sample_copy, server_env, start


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Server:
    root = sample_copy(tmp_path_factory.mktemp("http"))
    started = start(root, "--verbose", "--heartbeat", "1", env=server_env(CINEFILE_TOKEN=TOKEN))
    yield started
    assert started.stop() == 0, started.output()


@pytest.fixture(scope="session")
def second_server(tmp_path_factory) -> Server:
    root = copy_of(PROJECTS / "bad-corpus", tmp_path_factory.mktemp("http-second") / "bad-corpus")
    started = start(root, "--cors-origin", CORS_ORIGIN)
    yield started
    assert started.stop() == 0, started.output()


@pytest.fixture
def client(server: Server):
    with server.client() as client:
        yield client
