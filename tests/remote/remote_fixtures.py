"""The remote-store tests' fixtures, loaded by each module as a plugin (`pytest_plugins`), as
tests/http does: no conftest here, no package.

A real S3-compatible server: moto's, in server mode on 127.0.0.1 at a free port, in this
process (so that a test can hold a request) and reached over HTTP, by this process and by the
`cinefile` subprocesses alike. Dummy credentials; nothing leaves the machine."""

from __future__ import annotations

import logging
import os
import secrets

import pytest
from remote_helpers import CREDENTIALS, s3_client


@pytest.fixture(scope="session")
def s3_endpoint() -> str:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def credentials(monkeypatch) -> dict[str, str]:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    return dict(os.environ)


@pytest.fixture
def bucket(s3_endpoint, credentials) -> str:
    """A new empty bucket on the server, for one test."""
    name = f"films-{secrets.token_hex(4)}"
    s3_client(s3_endpoint).create_bucket(Bucket=name)
    return name


