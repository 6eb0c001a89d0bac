"""OpenRouter's chat as the real service behaves: answers cut off or only reasoned, retries that
cost nothing, refusals that say what to do, the free models' limits and the draft fallback,
final models that must exist, and a second Ctrl-C that really stops a chat that never answers."""

from __future__ import annotations

import http.server
import json
import os
import queue
import signal
import subprocess
import sys
import threading

import httpx
import pytest
from cinefile.daemon.api import ProjectAPI
from cinefile.daemon.generate import GenerationError
from cinefile.daemon.generate.runner import DONE, FAILED
from fake_apis import OPENROUTER_KEY, TEXT_MODELS, Reply, or_error
from generate_fixtures import clock, fake, generator, keys  # noqa: F401  (fixtures)

CHAT = "/chat/completions"


def body_text(sample, rel="story/logline.md") -> bytes:
    return (sample.root / rel).read_bytes()


# -- the fake refuses what the real service refuses ----------------------------------------

def test_the_fake_refuses_unknown_and_removed_models(fake):
    fake.removed_models.add("openai/gpt-4o-mini")
    with httpx.Client(transport=fake.transport(), headers={"Authorization": f"Bearer {OPENROUTER_KEY}"}) as client:
        def ask(model):
            return client.post(f"https://openrouter.ai/api/v1{CHAT}", json={"model": model, "messages": [{"role": "user",
                               "content": "hi"}]})
        unknown, removed = ask("x/y"), ask("openai/gpt-4o-mini")
    assert unknown.status_code == 400 and unknown.json()["error"]["message"] == "x/y is not a valid model ID"
    assert removed.status_code == 404 and removed.json()["error"]["metadata"] == {"model": "openai/gpt-4o-mini"}


def test_the_fake_limits_free_models_per_minute_and_per_day(fake, clock):
    fake.now = clock.now
    with httpx.Client(transport=fake.transport(), headers={"Authorization": f"Bearer {OPENROUTER_KEY}"}) as client:
        def ask():
            return client.post(f"https://openrouter.ai/api/v1{CHAT}", json={"model": TEXT_MODELS[0]["id"],
                               "messages": [{"role": "user", "content": "hi"}]})
        answers = [ask().status_code for _ in range(20)]
        per_min = ask().json()["error"]
        clock.t += 60
        for _ in range(30):  # 15 a minute, under that limit
            clock.t += 4
            answers.append(ask().status_code)
        per_day = ask().json()["error"]
    assert answers == [200] * 50
    assert per_min["message"].startswith("Rate limit exceeded: free-models-per-min")
    assert per_day["message"].startswith("Rate limit exceeded: free-models-per-day")
    assert per_day["metadata"]["headers"]["X-RateLimit-Limit"] == "50"


# -- answers -------------------------------------------------------------------------------

def test_an_answer_cut_off_is_asked_again_with_twice_the_room(sample, generator, fake):
    fake.answer_tokens = 2000  # longer than the 1500 asked for
    gen = generator()
    outcome = gen.run(gen.plan("logline", "text"))
    assert outcome.status == DONE, outcome.message
    assert [body["max_tokens"] for body in fake.bodies] == [1500, 3000]
    assert outcome.cost == pytest.approx(2 * fake.usage_cost)  # both answers were paid for
    assert fake.answer.split("\n")[-1].encode() in body_text(sample)  # the whole answer, not the cut one


def test_an_answer_cut_off_twice_fails_and_writes_nothing(sample, generator, fake):
    fake.answer_tokens = 5000
    before = body_text(sample)
    gen = generator()
    outcome = gen.run(gen.plan("logline", "text"))
    assert outcome.status == FAILED
    assert "answer was cut off at 3000 tokens (finish_reason length): nothing was written" in outcome.message
    assert body_text(sample) == before and gen.cache.get(outcome.job.cache_key) is None
    # Both cut answers were billed: the spend is in the ledger, marked as not stored.
    assert outcome.cost == pytest.approx(2 * fake.usage_cost)
    [line] = gen.ledger.entries()
    assert line["cost"] == pytest.approx(2 * fake.usage_cost) and line["stored"] is False


def test_a_reasoning_only_answer_is_an_error_that_says_so(sample, generator, fake):
    fake.reasoning_only = True
    before = body_text(sample)
    gen = generator()
    outcome = gen.run(gen.plan("logline", "text"))
    assert outcome.status == FAILED and "gave only its reasoning and no answer" in outcome.message
    assert body_text(sample) == before
    assert [line["cost"] for line in gen.ledger.entries()] == [pytest.approx(fake.usage_cost)]  # billed all the same


@pytest.mark.parametrize("status", [408, 502, 503])
def test_a_chat_is_retried_on_what_openrouter_does_not_charge_for(sample, generator, fake, clock, status):
    fake.queued["chat"].append(or_error(status, "No instances available" if status == 503 else "upstream"))
    gen = generator()
    assert gen.run(gen.plan("logline", "text")).status == DONE
    assert len(fake.calls("POST", CHAT)) == 2 and len(clock.slept) == 1


# -- refusals ------------------------------------------------------------------------------

def test_moderation_says_why_and_what_to_do(sample, generator, fake):
    fake.queued["chat"].append(or_error(403, "Input was flagged by moderation", metadata={
        "reasons": ["violence"], "flagged_input": "MARA raises the\nflare gun and", "provider_name": "OpenAI",
        "model_slug": "openai/gpt-4o-mini"}))
    gen = generator()
    outcome = gen.run(gen.plan("logline", "text"))
    assert outcome.message == ("OpenRouter's moderation refused the prompt (violence in \"MARA raises the flare gun and\"): "
                               "change the block's text or its template in prompts/, or pick another model")
    assert len(fake.calls("POST", CHAT)) == 1


def test_a_removed_model_says_to_pick_another(sample, generator, fake):
    (sample.root / "cinefile.toml").write_text('name = "Night Ferry"\n[models.draft]\ntext = "openai/gpt-4o-mini"\n')
    gen = generator()
    job = gen.plan("logline", "text")  # still in the list cinefile has
    fake.removed_models.add("openai/gpt-4o-mini")
    outcome = gen.run(job)
    assert outcome.status == FAILED and outcome.message.startswith(
        "OpenRouter: model `openai/gpt-4o-mini` is not available any more (No endpoints found for openai/gpt-4o-mini.): "
        "pick another from `cinefile models --kind text --refresh`")


# -- the free models' limits ---------------------------------------------------------------

def test_the_free_limit_falls_back_to_the_cheapest_model_that_is_not_free(sample, fake, keys, clock):
    fake.free_per_day = 1
    api = ProjectAPI.open(sample.root)
    try:
        targets = [("logline", "text"), ("beat-1", "text"), ("beat-2", "text")]
        result = api.generate(targets, jobs=1, overwrite=True, keys=keys)
    finally:
        api.close()
    first, second, third = result.outcomes
    assert [o.status for o in result.outcomes] == [DONE] * 3, [o.message for o in result.outcomes]
    assert first.job.model == "meta-llama/llama-3.2-3b-instruct:free" and first.message == ""
    for outcome in (second, third):
        assert outcome.job.model == "cheap/tiny-model"
        assert outcome.message.startswith("ran on cheap/tiny-model, not meta-llama/llama-3.2-3b-instruct:free: the free "
                                          "models' limit is reached (Rate limit exceeded: free-models-per-day.")
    models = [body["model"] for body in fake.bodies]
    free = "meta-llama/llama-3.2-3b-instruct:free"
    assert models == [free, free, "cheap/tiny-model", "cheap/tiny-model"]  # the third went straight to the fallback
    assert "generated:\n  from:" in (sample.root / "story" / "beat-2-storm.md").read_text()


def test_the_per_minute_limit_is_waited_out_on_the_free_model(sample, generator, fake, clock):
    fake.free_per_min, fake.now = 1, clock.now
    gen = generator()
    assert gen.run(gen.plan("logline", "text")).status == DONE
    outcome = gen.run(gen.plan("beat-1", "text"))
    assert outcome.status == DONE and outcome.job.model.endswith(":free")
    assert 55 <= sum(clock.slept) <= 61


def test_a_free_model_named_in_the_project_is_not_switched(sample, generator, fake):
    (sample.root / "cinefile.toml").write_text(
        'name = "Night Ferry"\n[models.draft]\ntext = "meta-llama/llama-3.2-3b-instruct:free"\n')
    fake.free_per_day = 0
    gen = generator()
    job = gen.plan("logline", "text")
    assert job.fallback is None
    outcome = gen.run(job)
    assert outcome.status == FAILED and outcome.message.startswith("OpenRouter: the free models' limit is reached")


# -- final models must exist, with a price -------------------------------------------------

def test_a_final_model_missing_from_the_list_is_said_before_spending(sample, generator, fake):
    fake.queued["models"].append(Reply(200, {"data": [m for m in TEXT_MODELS if m["id"] != "anthropic/claude-sonnet-4.5"]}))
    gen = generator()
    with pytest.raises(GenerationError, match=r"`anthropic/claude-sonnet-4.5`, cinefile's final text model, is not in "
                                              r"OpenRouter's list: name one as \[models\] text in cinefile.toml"):
        gen.plan("logline", "text", "final")
    assert fake.calls("POST", CHAT) == []


def test_a_model_without_a_fixed_price_is_never_estimated_as_free(sample, generator, fake):
    (sample.root / "cinefile.toml").write_text('name = "Night Ferry"\n[budget]\nlimit_usd = 1.0\n[models]\n'
                                               'text = "openrouter/auto"\n')
    gen = generator()
    with pytest.raises(GenerationError, match="`openrouter/auto` has no fixed price, so its cost cannot be estimated"):
        gen.plan("logline", "text", "final")


# -- a second Ctrl-C -----------------------------------------------------------------------

class SilentChat(http.server.BaseHTTPRequestHandler):
    """Lists one free model, then takes a chat and never answers it."""

    def do_GET(self) -> None:
        data = json.dumps({"data": TEXT_MODELS[:1]}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.server.chat_arrived.set()
        self.server.release.wait(300)

    def log_message(self, *args) -> None:
        pass


def _lines_of(stream) -> "queue.Queue[str]":
    """The lines a process writes to `stream`, as they come (read in a thread)."""
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in iter(stream.readline, b""):
            lines.put(line.decode("utf-8", errors="replace"))

    threading.Thread(target=read, daemon=True).start()
    return lines


def _first_containing(lines: "queue.Queue[str]", text: str, timeout: float = 60) -> str:
    seen = []
    while True:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no line with {text!r} in {timeout:g} s; the process said: {''.join(seen)}") from None
        if text in line:
            return line
        seen.append(line)


def test_a_second_ctrl_c_stops_a_chat_that_never_answers(sample):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SilentChat)
    server.daemon_threads = True
    server.chat_arrived, server.release = threading.Event(), threading.Event()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {k: v for k, v in os.environ.items() if "API_KEY" not in k and "API_TOKEN" not in k}
    env |= {"OPENROUTER_API_KEY": OPENROUTER_KEY, "OPENROUTER_BASE_URL": f"http://127.0.0.1:{server.server_port}/api/v1"}
    # Ctrl-C as a terminal delivers it: a test run in the background of a script has SIGINT
    # ignored, and the command, rightly, keeps ignoring it then.
    process = subprocess.Popen([sys.executable, "-m", "cinefile", "generate", "logline", "--overwrite"], cwd=sample.root,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        assert server.chat_arrived.wait(60), process.stderr.read1() if process.poll() is not None else "no chat yet"
        said = _lines_of(process.stderr)
        process.send_signal(signal.SIGINT)  # cancels; the chat still hangs in its read
        # The second only once the first was heard: two signals before the process runs again
        # are taken for one (a loaded machine did that with 0.5 s between them).
        heard = _first_containing(said, "press Ctrl-C again to stop now")
        assert heard.startswith("cancelling: "), heard
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=60)  # the chat's read timeout is 120 s: waiting for it fails here
        assert code == 130
        assert "interrupted" in _first_containing(said, "interrupted")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        server.release.set()
        server.shutdown()
        server.server_close()
