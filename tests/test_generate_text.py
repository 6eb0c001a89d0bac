"""Text generation through OpenRouter, against the fake, down to status codes and retries."""

from __future__ import annotations

import httpx
import pytest
from cinefile.daemon.api import ProjectAPI
from cinefile.daemon.errors import UserError
from cinefile.daemon.generate import GenerationError
from cinefile.daemon.generate.runner import CACHED, CANCELLED, DONE, FAILED
from cinefile.format.parse import parse_block
from fake_apis import OPENROUTER_KEY, Reply, or_error
from generate_fixtures import clock, fake, generator, keys  # noqa: F401  (fixtures)


def read(project, rel):
    return (project.root / rel).read_bytes()


def test_text_fills_the_body_records_generated_and_is_fresh(sample, generator, fake, index_of):
    gen = generator()
    job = gen.plan("scene-1", "text")
    assert job.provider == "openrouter"
    assert job.model == "meta-llama/llama-3.2-3b-instruct:free"  # draft: the cheapest, free counts
    before = read(sample, "story/scene-1.md")
    outcome = gen.run(job)
    assert outcome.status == DONE, outcome.message
    block = parse_block("story/scene-1.md", read(sample, "story/scene-1.md"))
    assert block.body.startswith("Rain on the deck.")
    generated = block.frontmatter["generated"]
    assert generated["model"] == job.model and generated["mode"] == "draft" and generated["at"]
    assert generated["from"] == job.record and set(generated["from"]) >= {"mara", "ferry-deck", "style-guide"}
    row = gen.index.block("scene-1")
    assert row["state"] == "fresh"
    assert ProjectAPI(gen.project, index=gen.index).history("scene-1")[-1].previous == before.decode()
    # The request was streamed, authorised, and carried the seed and the prompt.
    body = fake.bodies[-1]
    assert body["stream"] is True and body["seed"] == job.seed
    assert body["messages"][-1]["content"] == job.prompt
    assert fake.calls("POST", "/chat/completions")[0][2]["authorization"] == f"Bearer {OPENROUTER_KEY}"


def test_usage_cost_and_generation_id_go_to_the_ledger_and_cache(sample, generator, fake):
    gen = generator()
    outcome = gen.run(gen.plan("logline", "text"))
    assert outcome.cost == fake.usage_cost
    [entry] = gen.ledger.entries()
    assert entry["cost"] == fake.usage_cost and entry["provider"] == "openrouter" and entry["block"] == "logline"
    cached = gen.cache.get(outcome.job.cache_key)
    assert cached["meta"]["generation_id"].startswith("gen-")


def test_generated_text_with_frontmatter_lines_does_not_break_the_file(sample, generator, fake):
    fake.answer = "```markdown\n---\ntype: logline\nid: hijack\n---\nFirst part.\n---\nSecond part.\n```"
    gen = generator()
    assert gen.run(gen.plan("logline", "text")).status == DONE
    block = parse_block("story/logline.md", read(sample, "story/logline.md"))
    assert block.problems == [] and block.id == "logline" and block.type == "logline"
    assert block.body == "First part.\n* * *\nSecond part.\n"


def test_mid_stream_error_fails_and_writes_nothing(sample, generator, fake):
    fake.mid_stream_error = True
    before = read(sample, "story/logline.md")
    gen = generator()
    outcome = gen.run(gen.plan("logline", "text"))
    assert outcome.status == FAILED and "failed while answering (Provider disconnected)" in outcome.message
    assert read(sample, "story/logline.md") == before
    assert gen.cache.get(outcome.job.cache_key) is None and gen.ledger.entries() == []


def test_truncated_stream_is_a_clear_error(sample, generator, fake):
    fake.queued["chat"].append(httpx.Response(200, content=b'data: {"choices": [{"delta": {"content": "Hal"}}]}\n\n',
                                              headers={"content-type": "text/event-stream"}))
    gen = generator()
    outcome = gen.run(gen.plan("logline", "text"))
    assert outcome.status == FAILED and "malformed response (the answer ended before [DONE])" in outcome.message


def test_malformed_event_is_a_clear_error(sample, generator, fake):
    fake.queued["chat"].append(httpx.Response(200, content=b"data: {not json\n\n", headers={"content-type": "text/event-stream"}))
    gen = generator()
    outcome = gen.run(gen.plan("logline", "text"))
    assert outcome.status == FAILED and "OpenRouter sent a malformed response" in outcome.message


def test_a_bad_key_is_refused_once_without_retry_and_never_shown(sample, generator, fake):
    from cinefile.daemon.generate.keys import Keys, Secret

    gen = generator(keys=Keys(Secret("sk-or-v1-expired-key-123"), None))
    outcome = gen.run(gen.plan("logline", "text"))
    assert outcome.status == FAILED
    assert "OpenRouter refused the API key (User not found.)" in outcome.message and "expired" in outcome.message
    assert "sk-or-v1-expired" not in outcome.message
    assert len(fake.calls("POST", "/chat/completions")) == 1


def test_no_auth_header_gets_401_no_auth_credentials(fake):
    with httpx.Client(transport=fake.transport()) as client:
        response = client.post("https://openrouter.ai/api/v1/chat/completions", json={"model": "x", "messages": []})
    assert response.status_code == 401 and response.json()["error"]["message"] == "No auth credentials found"


def test_missing_messages_is_400(fake):
    with httpx.Client(transport=fake.transport()) as client:
        response = client.post("https://openrouter.ai/api/v1/chat/completions", json={"model": "openai/gpt-4o-mini"},
                               headers={"Authorization": f"Bearer {OPENROUTER_KEY}"})
    assert response.status_code == 400 and response.json()["error"]["code"] == 400


def test_no_credit_is_402_not_retried(sample, generator, fake):
    fake.queued["chat"].append(or_error(402, "This request requires more credits, or fewer max_tokens.",
                                        metadata={"limit_source": "openrouter_credits"}))
    gen = generator()
    outcome = gen.run(gen.plan("logline", "text"))
    assert outcome.status == FAILED and "OpenRouter: not enough credits (This request requires more credits" in outcome.message
    assert "add credits at https://openrouter.ai/settings/credits" in outcome.message
    assert len(fake.calls("POST", "/chat/completions")) == 1


def test_429_with_retry_after_waits_that_long_then_succeeds(sample, generator, fake, clock):
    fake.queued["chat"].append(Reply(429, {"error": {"message": "Provider returned error", "code": 429, "metadata": {
        "raw": "temporarily rate-limited upstream", "provider_name": "Venice", "retry_after_seconds": 17,
        "headers": {"Retry-After": "17"}}}}, {"retry-after": "17"}))
    gen = generator()
    assert gen.run(gen.plan("logline", "text")).status == DONE
    assert clock.slept == [17.0]
    assert len(fake.calls("POST", "/chat/completions")) == 2


def test_429_without_retry_after_backs_off(sample, generator, fake, clock):
    fake.queued["chat"] += [or_error(429, "Rate limit exceeded")] * 2
    gen = generator()
    assert gen.run(gen.plan("logline", "text")).status == DONE
    assert len(clock.slept) == 2 and 0.5 <= clock.slept[0] <= 1.0 and 1.0 <= clock.slept[1] <= 2.0


def test_429_that_never_ends_gives_up_after_a_bounded_wait(sample, generator, fake, clock):
    fake.queued["chat"] += [or_error(429, "Rate limit exceeded")] * 100
    gen = generator()
    outcome = gen.run(gen.plan("logline", "text"))
    assert outcome.status == FAILED and "OpenRouter rate limit reached (Rate limit exceeded): waited" in outcome.message
    assert 60 <= sum(clock.slept) <= 90 and len(fake.calls("POST", "/chat/completions")) < 20


def test_400_wrapping_429_is_retried(sample, generator, fake):
    fake.queued["chat"].append(Reply(400, {"error": {"message": "Rate limited upstream", "code": 429}}))
    gen = generator()
    assert gen.run(gen.plan("logline", "text")).status == DONE
    assert len(fake.calls("POST", "/chat/completions")) == 2


def test_500_and_504_on_a_chat_are_not_retried(sample, generator, fake):
    for status in (500, 504):
        fake.log.clear()
        fake.queued["chat"].append(or_error(status, "upstream down"))
        gen = generator()
        outcome = gen.run(gen.plan("logline", "text"))
        assert outcome.status == FAILED and f"OpenRouter is unavailable ({status}" in outcome.message
        assert len(fake.calls("POST", "/chat/completions")) == 1


def test_get_models_fails_twice_then_succeeds(sample, generator, fake, clock):
    fake.queued["models"] += [or_error(502, "Bad gateway"), or_error(503, "No provider")]
    gen = generator()
    assert gen.plan("logline", "text").model.endswith(":free")
    assert len(fake.calls("GET", "/api/v1/models")) == 3 and len(clock.slept) == 2


def test_network_timeout_is_a_clear_error(sample, generator, fake):
    fake.queued["chat"].append(httpx.ReadTimeout("timed out"))
    gen = generator()
    outcome = gen.run(gen.plan("logline", "text"))
    assert outcome.status == FAILED and outcome.message.startswith("OpenRouter: network timeout on POST")
    assert len(fake.calls("POST", "/chat/completions")) == 1


def test_unknown_model_is_a_clear_error(sample, generator, fake):
    (sample.root / "cinefile.toml").write_text('name = "Night Ferry"\n[models.draft]\ntext = "x/y"\n')
    gen = generator()
    with pytest.raises(GenerationError, match="model `x/y` does not exist"):
        gen.plan("logline", "text")


def test_unknown_model_answer_400_is_a_clear_error(sample, generator, fake):
    gen = generator()
    job = gen.plan("logline", "text")
    job.model = "x/y"
    outcome = gen.run(job)
    assert outcome.status == FAILED and "model `x/y` does not exist (x/y is not a valid model ID)" in outcome.message


def test_final_mode_uses_the_default_final_model(sample, generator, fake):
    gen = generator()
    assert gen.plan("logline", "text", "final").model == "anthropic/claude-sonnet-4.5"
    (sample.root / "story" / "logline.md").write_text("---\ntype: logline\nmode: final\n---\nA ferry.\n")
    from cinefile.daemon.index.sync import sync

    sync(sample, gen.index)
    assert gen.plan("logline", "text").mode == "final"


def test_abort_while_streaming_cancels_and_writes_nothing(sample, generator, fake):
    gen = generator()
    job = gen.plan("logline", "text")
    before = read(sample, "story/logline.md")

    fake.on_request = lambda request: gen.cancel.set()
    outcome = gen.run(job)
    assert outcome.status == CANCELLED
    assert read(sample, "story/logline.md") == before and gen.cache.get(job.cache_key) is None


def test_cache_hit_makes_no_call_and_force_asks_again(sample, generator, fake):
    gen = generator()
    job = gen.plan("logline", "text")
    assert gen.run(job).status == DONE
    calls = len(fake.calls("POST", "/chat/completions"))
    (sample.root / "story" / "logline.md").write_bytes(read(sample, "story/logline.md"))
    again = gen.run(job)
    assert again.status == CACHED and again.cost == 0
    assert len(fake.calls("POST", "/chat/completions")) == calls
    forced = generator(force=True)
    assert forced.run(job).status == DONE
    assert len(fake.calls("POST", "/chat/completions")) == calls + 1


def test_retry_after_reads_seconds_dates_and_bodies_capped_at_a_minute():
    import email.utils
    import time

    from cinefile.daemon.generate.http import retry_after

    def wait(headers=None, body=None):
        return retry_after(httpx.Response(429, headers=headers or {}), body)

    assert wait({"retry-after": "17"}) == 17.0
    assert wait({"retry-after": "3600"}) == 60.0
    soon = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= wait({"retry-after": soon}) <= 31
    assert wait(body={"retry_after": 9}) == 9.0
    assert wait(body={"error": {"metadata": {"retry_after_seconds": 4}}}) == 4.0
    assert wait() is None


def test_a_model_picked_for_the_run_wins_over_the_projects(sample, generator, fake):
    """The studio's sidebar picks a model per kind for its session: plans and runs use it."""
    plain = generator()
    other = next(m.id for m in plain.catalog.models("text") if m.id != plain.plan("logline", "text", "draft").model)
    picked = generator(models={"text": other})
    assert picked.plan("logline", "text", "final").model == other
    assert picked.plan("logline", "text", "draft").model == other
    with pytest.raises(UserError, match="model `x/y` does not exist"):
        generator(models={"text": "x/y"}).plan("logline", "text")


def test_keys_come_from_the_session_first_then_the_environment_in_order():
    from cinefile.daemon.generate.keys import find_keys

    def picked(environ, session=None):
        keys = find_keys(session, environ)
        return tuple(secret.reveal() if secret else None for secret in (keys.openrouter, keys.replicate))

    env = {"OPENROUTER_API_KEY": "or-env", "COPILOT_OPENROUTER_API_KEY": "or-copilot", "REPLICATE_API_KEY": "r-key",
           "REPLICATE_API_TOKEN": "r-token", "COPILOT_REPLICATE_API_KEY": "r-copilot"}
    assert picked(env, {"openrouter": " or-typed ", "replicate": "r-typed"}) == ("or-typed", "r-typed")
    assert picked(env, {"openrouter": "  "}) == ("or-env", "r-key")  # a blank session key is no key
    del env["OPENROUTER_API_KEY"], env["REPLICATE_API_KEY"]
    assert picked(env) == ("or-copilot", "r-token")
    del env["REPLICATE_API_TOKEN"]
    assert picked(env) == ("or-copilot", "r-copilot")
