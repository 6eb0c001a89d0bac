"""`cinefile assets` against a real S3-compatible server (moto's, on 127.0.0.1): a round trip,
a corrupt object refused, a push killed midway and resumed, and credentials never shown."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from moto.s3.models import S3Backend
from remote_helpers import SECRET, clone_without_assets, film_with_assets, remote_table, s3_client, sha_of

pytest_plugins = ["remote_fixtures"]

BOUND_S = 60  # how long a stuck step may take before the test gives up (a bound, not a timing)


def _film(tmp_path, endpoint, bucket, count=3, workers=8):
    table = remote_table(f"s3://{bucket}/night-ferry", endpoint_url=endpoint, workers=workers)
    return film_with_assets(tmp_path / "team-film", count, table)


def _keys(endpoint, bucket) -> set[str]:
    listed = s3_client(endpoint).list_objects_v2(Bucket=bucket).get("Contents", [])
    return {item["Key"] for item in listed}


def _cinefile(*args, cwd, env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "cinefile", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_push_then_a_clone_pulls(tmp_path, cli, s3_endpoint, bucket):
    project, hashes = _film(tmp_path, s3_endpoint, bucket)
    pushed = cli("assets", "push", cwd=project.root)
    assert pushed.exit_code == 0, pushed.output
    assert _keys(s3_endpoint, bucket) == ({f"night-ferry/{sha}.png" for sha in hashes}
                                          | {f"night-ferry/meta/{sha}.json" for sha in hashes})
    clone = clone_without_assets(project, tmp_path / "clone")
    pulled = cli("assets", "pull", cwd=clone.root)
    assert pulled.exit_code == 0, pulled.output
    assert all(sha_of(clone.assets / f"{sha}.png") == sha for sha in hashes)
    assert json.loads(cli("assets", "status", "--json", cwd=clone.root).output)["in_step"] is True


def test_a_corrupt_object_is_refused_on_pull(tmp_path, cli, s3_endpoint, bucket):
    project, hashes = _film(tmp_path, s3_endpoint, bucket)
    assert cli("assets", "push", cwd=project.root).exit_code == 0
    bad = f"{hashes[1]}.png"
    s3_client(s3_endpoint).put_object(Bucket=bucket, Key=f"night-ferry/{bad}", Body=b"\x89PNG not the same bytes")
    clone = clone_without_assets(project, tmp_path / "clone")
    result = cli("assets", "pull", cwd=clone.root)
    assert result.exit_code == 1
    assert f"{bad}: its bytes hash to" in result.output and "corrupt or partial object" in result.output
    assert not (clone.assets / bad).exists()
    assert {p.name for p in clone.assets.glob("*.png")} == {f"{hashes[0]}.png", f"{hashes[2]}.png"}
    assert not [p for p in clone.assets.iterdir() if p.name.startswith(".")]  # no partial download kept
    with __import__("cinefile.daemon.api", fromlist=["ProjectAPI"]).ProjectAPI.open(clone.root) as api:
        assert [m["sha256"] for m in api.status().missing_assets] == [hashes[1]]  # still said to be missing


@pytest.fixture
def held_uploads(monkeypatch):
    """The server takes the first `allowed` uploads, then holds every other until released:
    a push is then stopped at a known point. Counts each upload and each move into place."""
    state = {"allowed": 0, "uploads": [], "placed": [], "held": threading.Event(), "release": threading.Event()}
    put, copy = S3Backend.put_object, S3Backend.copy_object

    def put_object(self, bucket_name, key_name, value, *args, **kwargs):
        if "/.partial/" in key_name:
            if len(state["uploads"]) >= state["allowed"]:
                state["held"].set()
                state["release"].wait(BOUND_S)
                raise ConnectionAbortedError("the client went away")
            state["uploads"].append(key_name)
        return put(self, bucket_name, key_name, value, *args, **kwargs)

    def copy_object(self, src_key, dest_bucket_name, dest_key_name, *args, **kwargs):
        state["placed"].append(dest_key_name)
        return copy(self, src_key, dest_bucket_name, dest_key_name, *args, **kwargs)

    monkeypatch.setattr(S3Backend, "put_object", put_object)
    monkeypatch.setattr(S3Backend, "copy_object", copy_object)
    yield state
    state["release"].set()


def test_a_push_killed_midway_resumes_and_sends_nothing_twice(tmp_path, cli, s3_endpoint, bucket, credentials, held_uploads):
    project, hashes = _film(tmp_path, s3_endpoint, bucket, count=6, workers=2)
    held_uploads["allowed"] = 3
    push = _cinefile("assets", "push", cwd=project.root, env=credentials)
    try:
        assert held_uploads["held"].wait(BOUND_S), "the push never reached its fourth upload"
        deadline = time.monotonic() + BOUND_S
        while len(held_uploads["placed"]) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)  # the three uploads let through are being moved into place
    finally:
        push.send_signal(signal.SIGKILL)
        push.communicate()
        held_uploads["release"].set()
    assert push.returncode == -signal.SIGKILL
    arrived = {key for key in _keys(s3_endpoint, bucket) if "/.partial/" not in key}
    assert len(arrived) == 3  # whole objects under their names, no half object under any

    held_uploads["allowed"] = 100
    resumed = cli("assets", "push", "--json", cwd=project.root)
    assert resumed.exit_code == 0, resumed.output
    result = json.loads(resumed.output)
    assert result["already"] == 3 and len(result["sent"]) == 3
    assets = [key for key in held_uploads["placed"] if key.endswith(".png")]
    assert sorted(assets) == sorted(f"night-ferry/{sha}.png" for sha in hashes)  # each placed once, none twice
    for sha in hashes:
        body = s3_client(s3_endpoint).get_object(Bucket=bucket, Key=f"night-ferry/{sha}.png")["Body"].read()
        assert __import__("hashlib").sha256(body).hexdigest() == sha


def test_credentials_never_show(tmp_path, cli, s3_endpoint, bucket, credentials):
    project, _ = _film(tmp_path, s3_endpoint, bucket)
    push = _cinefile("assets", "push", cwd=project.root, env=credentials | {"CINEFILE_DEBUG": "1"})
    outputs = [*push.communicate(timeout=BOUND_S)]  # a real process: its output and its log
    assert push.returncode == 0, outputs
    for args in (("assets", "status", "--json"), ("assets", "pull", "--all"), ("status", "--json")):
        outputs.append(cli(*args, cwd=project.root).output)
    # A store that cannot be reached (told to try once): the error names the store, never the credentials.
    config = project.root / "cinefile.toml"
    config.write_text(config.read_text().replace(s3_endpoint, "http://127.0.0.1:9")
                      + "[remote.config_kwargs]\nretries = { max_attempts = 1 }\n", encoding="utf-8")
    failed = cli("assets", "status", cwd=project.root)
    assert failed.exit_code == 1 and "127.0.0.1:9" in failed.output and "Traceback" not in failed.output
    outputs.append(failed.output)
    assert all(SECRET not in text for text in outputs)
    for path in [project.root / "cinefile.toml", *project.root.glob("project.db*")]:
        assert SECRET.encode() not in path.read_bytes()


def test_a_secret_in_the_toml_is_refused(tmp_path, cli, s3_endpoint, bucket):
    project, _ = _film(tmp_path, s3_endpoint, bucket)
    config = project.root / "cinefile.toml"
    config.write_text(config.read_text() + f'aws_secret_access_key = "{SECRET}"\n', encoding="utf-8")
    result = cli("assets", "status", cwd=project.root)
    assert result.exit_code == 2
    assert "[remote] `aws_secret_access_key` looks like a secret: remove it" in result.output
    assert SECRET not in result.output and len(result.output.strip().splitlines()) == 1


def test_redact_hides_credentials_from_the_environment(monkeypatch):
    from cinefile.daemon.remote.secrets import redact

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", "session-token-value-123")
    assert redact(f"denied for {SECRET} with session-token-value-123") == "denied for *** with ***"
    assert os.environ["AWS_SECRET_ACCESS_KEY"] == SECRET
