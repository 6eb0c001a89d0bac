"""The model catalogue offline: `cinefile models` and `generate --dry-run` use the list cached in
project.db, with its age, when the providers cannot be reached; each list is asked for at most
once per command, and a command waits about 20 s in all for them."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from cinefile.daemon.generate import GenerationError
from cinefile.daemon.generate.catalog import LIST_DEADLINE_S, ago
from cinefile.daemon.index.sync import open_index
from generate_fixtures import clock, env_keys, fake, generator, keys  # noqa: F401  (fixtures)

MODELS = "/api/v1/models"


def age_catalogue(sample, kind: str, hours: float) -> None:
    index = open_index(sample)
    try:
        with index.write() as db:
            db.execute("UPDATE model_catalog SET fetched_at = ? WHERE kind = ?", [time.time() - hours * 3600, kind])
    finally:
        index.close()


def network_down(fake, error: Exception) -> None:
    def refuse(request: httpx.Request) -> None:
        if request.url.path == MODELS:
            raise error

    fake.on_request = refuse


def test_models_are_listed_offline_from_the_cache_with_its_age(sample, cli, env_keys):
    assert cli("models", "--kind", "text", cwd=sample.root).exit_code == 0
    age_catalogue(sample, "text", hours=3)
    network_down(env_keys, httpx.ConnectError("[Errno 101] Network is unreachable"))
    calls = len(env_keys.calls("GET", MODELS))
    result = cli("models", "--kind", "text", "--refresh", "--json", cwd=sample.root)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["notes"] == ["text models as of 3 h ago (cached; the network is unreachable)"] and data["errors"] == []
    assert {m["source"] for m in data["models"]} == {"cached list"} and len(data["models"]) >= 3
    assert len(env_keys.calls("GET", MODELS)) - calls <= 4  # one fetch, its retries included


def test_the_dry_run_works_offline_and_says_how_old_its_models_are(sample, cli, env_keys):
    assert cli("models", "--kind", "text", cwd=sample.root).exit_code == 0
    age_catalogue(sample, "text", hours=30)  # older than a day: it would be asked for again
    network_down(env_keys, httpx.ConnectError("[Errno 101] Network is unreachable"))
    result = cli("generate", "logline", "--dry-run", "--overwrite", cwd=sample.root)
    assert result.exit_code == 0, result.output
    assert "text models as of 30 h ago (cached; the network is unreachable)" in result.stderr
    assert "-> openrouter meta-llama/llama-3.2-3b-instruct:free" in result.stdout


def test_a_failing_list_is_asked_for_once_per_command(sample, cli, env_keys):
    """Planning (for the estimate) and running share what the command learnt: the list that
    timed out is not asked for again, and the run goes on with the cached one."""
    assert cli("models", "--kind", "text", cwd=sample.root).exit_code == 0
    age_catalogue(sample, "text", hours=30)
    network_down(env_keys, httpx.ReadTimeout("timed out"))
    calls = len(env_keys.calls("GET", MODELS))
    result = cli("generate", "logline", "--overwrite", cwd=sample.root)
    assert result.exit_code == 0, result.output
    assert "done 1" in result.stdout
    assert len(env_keys.calls("GET", MODELS)) - calls <= 4  # once (with its retries), not once per phase


def test_the_model_lists_wait_about_20_s_in_all(sample, generator, fake, clock):
    """A hanging API: each request takes its whole read timeout on the clock. The first list
    spends the command's 20 s; the next is not even asked for."""
    def hang(request: httpx.Request) -> None:
        clock.t += request.extensions["timeout"]["read"]
        raise httpx.ReadTimeout("timed out")

    fake.on_request = hang
    gen = generator()
    with pytest.raises(GenerationError, match="OpenRouter: network timeout on GET"):
        gen.plan("logline", "text")
    with pytest.raises(GenerationError, match="Replicate: no answer in the time allowed"):
        gen.plan("shot-1a", "image")
    assert clock.t <= LIST_DEADLINE_S + 1 and len(fake.log) == 1
    with pytest.raises(GenerationError, match="OpenRouter: network timeout on GET"):
        gen.plan("logline", "text")  # remembered: not asked again in this command
    assert len(fake.log) == 1


def test_ages_read_as_a_person_says_them():
    assert [ago(s) for s in (5, 300, 3 * 3600, 30 * 3600, 5 * 86400)] == [
        "just now", "5 min ago", "3 h ago", "30 h ago", "5 days ago"]
