"""Generation end to end: the CLI, cache, budget, cost, keys kept secret, Ctrl-C, and a lost index."""

from __future__ import annotations

import _thread
import json
import signal

import pytest
from cinefile.daemon.generate.keys import find_keys
from cinefile.daemon.generate.runner import DONE, FAILED, ctrl_c_cancels, run_batch
from cinefile.daemon.index.sync import open_index, sync
from cinefile.daemon.project import Project
from cinefile.format.parse import parse_block
from fake_apis import OPENROUTER_KEY, REPLICATE_KEY, or_error
from generate_fixtures import clock, env_keys, fake, generator, keys  # noqa: F401  (fixtures)


def snapshot(project: Project) -> dict[str, bytes]:
    return {p.relative_to(project.root).as_posix(): p.read_bytes()
            for p in project.root.rglob("*") if p.is_file() and not p.name.startswith("project.db")}


def test_key_lookup_order():
    env = {"OPENROUTER_API_KEY": "a", "COPILOT_OPENROUTER_API_KEY": "b", "REPLICATE_API_TOKEN": "c",
           "COPILOT_REPLICATE_API_KEY": "d"}
    keys = find_keys({"openrouter": "s1", "replicate": "s2"}, env)
    assert (keys.openrouter.reveal(), keys.replicate.reveal()) == ("s1", "s2")  # the session's come first
    keys = find_keys(None, env)
    assert (keys.openrouter.reveal(), keys.replicate.reveal()) == ("a", "c")
    keys = find_keys(None, {"COPILOT_OPENROUTER_API_KEY": "b", "REPLICATE_API_KEY": "k", "REPLICATE_API_TOKEN": "c"})
    assert (keys.openrouter.reveal(), keys.replicate.reveal()) == ("b", "k")
    keys = find_keys({"openrouter": "s1", "replicate": "s2"}, {})
    assert (keys.openrouter.reveal(), keys.replicate.reveal()) == ("s1", "s2")
    assert find_keys(None, {"OPENROUTER_API_KEY": "  "}).openrouter is None
    assert str(keys.openrouter) == "***" and "s1" not in repr(keys)


def test_cli_generates_text_and_a_still_and_summarises(sample, cli, env_keys):
    result = cli("generate", "scene-1", "logline", "--overwrite", cwd=sample.root)
    assert result.exit_code == 0, result.output
    assert "done 2 · cached 0 · failed 0 · cost $0.0000" in result.output
    result = cli("generate", "shot-1a", "--kind", "image", cwd=sample.root)
    assert result.exit_code == 0 and "done 1" in result.output and "cost $0.0030" in result.output
    assert "1 to generate, about $0.0030 before cache hits" in result.output  # said before paying
    result = cli("generate", "shot-1a", "--kind", "image", cwd=sample.root)
    assert "done 0 · cached 1 · failed 0 · cost $0.0000" in result.output
    cost = cli("cost", "--json", cwd=sample.root)
    data = json.loads(cost.output)
    assert data["calls"] == 3 and data["by"]["kind"]["image"] == 0.003 and data["by"]["block"]["shot-1a"] == 0.003
    assert data["by"]["provider"]["openrouter"] == pytest.approx(2 * env_keys.usage_cost) and set(data["by"]["mode"]) == {"draft"}
    assert "total $0.0030" in cli("cost", cwd=sample.root).output


def test_cli_dry_run_prints_prompt_model_and_estimate_and_calls_nothing(sample, cli, env_keys):
    before = snapshot(sample)
    result = cli("generate", "shot-1a", "--kind", "image", "--dry-run", cwd=sample.root)
    assert result.exit_code == 0, result.output
    assert "== shot-1a (image, draft) -> replicate black-forest-labs/flux-schnell, about $0.0030" in result.output
    assert "Cinematic film still" in result.output and "nothing was run" in result.output
    assert env_keys.calls("POST", "predictions") == [] and env_keys.calls("POST", "chat") == []
    assert snapshot(sample) == before


def test_cli_dry_run_says_which_text_it_would_keep(sample, cli, fake):
    result = cli("generate", "scene-1", "--dry-run", cwd=sample.root)
    assert result.exit_code == 0, result.output
    assert "would skip scene-1 (text): kept: its text was written by hand (never generated)" in result.output
    assert "0 to run, about $0.0000 in all; nothing was run" in result.output
    data = json.loads(cli("generate", "scene-1", "--dry-run", "--json", cwd=sample.root).stdout)
    assert data["jobs"] == [] and [k["id"] for k in data["kept"]] == ["scene-1"]
    data = json.loads(cli("generate", "scene-1", "--dry-run", "--json", "--overwrite", cwd=sample.root).stdout)
    assert [j["id"] for j in data["jobs"]] == ["scene-1"] and data["kept"] == []


def test_cli_mock_mode_is_said_once_and_works_offline(sample, cli, fake):
    result = cli("generate", "--phase", "design", "--kind", "image", cwd=sample.root)
    assert result.exit_code == 0, result.output
    assert result.output.count("no Replicate key (REPLICATE_API_TOKEN is not set): image runs in mock mode") == 1
    assert "done 7" in result.output and fake.log == []


def test_cli_bad_input_is_one_line_with_exit_code_2(sample, cli, fake):
    for args, message in (
        ((), "say what to generate"),
        (("nope",), "no block `nope`"),
        (("scene-1", "--kind", "smell"), "--kind smell: unknown; use one of text, image, video, audio"),
        (("--phase", "editing"), "--phase editing: unknown (did you mean `shooting`?); use one of story, design, shooting"),
        (("scene-1", "--stale"), "say what to generate"),
    ):
        result = cli("generate", *args, cwd=sample.root)
        assert result.exit_code == 2 and message in result.output, (args, result.output)
        assert "Traceback" not in result.output


def test_cli_kind_not_for_the_type_and_video_without_still_fail_with_exit_1(sample, cli, fake):
    before = snapshot(sample)
    result = cli("generate", "mara", "--kind", "video", cwd=sample.root)
    assert result.exit_code == 1 and "video generation is for shot, location" in result.output
    result = cli("generate", "shot-1a", "--kind", "video", cwd=sample.root)
    assert result.exit_code == 1 and "`shot-1a` has no approved still" in result.output
    assert snapshot(sample) == before
    result = cli("approve", "shot-1a", cwd=sample.root)
    assert result.exit_code == 2 and "has no still to approve" in result.output


def test_cli_stills_before_video_with_approve(sample, cli, fake):
    assert cli("generate", "shot-1a", "--kind", "image", cwd=sample.root).exit_code == 0
    result = cli("approve", "shot-1a", cwd=sample.root)
    assert result.exit_code == 0 and result.output.startswith("approved still ")
    block = parse_block("shooting/shot-1a.md", (sample.root / "shooting/shot-1a.md").read_bytes())
    assert block.frontmatter["assets"][0]["approved"] is True
    result = cli("generate", "shot-1a", "--kind", "video", cwd=sample.root)
    assert result.exit_code == 0, result.output
    roles = [a["role"] for a in parse_block("shooting/shot-1a.md", (sample.root / "shooting/shot-1a.md").read_bytes()).assets]
    assert roles == ["still", "video"]


def test_cli_stale_keeps_hand_written_text_and_overwrite_replaces_it(sample, cli, fake, index_of):
    """The sample's stale blocks were written by hand: --stale skips them, saying why and
    what to do, and changes nothing (exit 0: keeping them is the rule, not a failure);
    --overwrite regenerates them, and they are fresh."""
    stale = [r["key"] for r in index_of(sample).blocks("state = 'stale'")]
    assert stale
    before = snapshot(sample)
    result = cli("generate", "--stale", "-j", "2", cwd=sample.root)
    assert result.exit_code == 0, result.output
    assert f"done 0 · cached 0 · failed 0 · skipped {len(stale)}" in result.output
    assert f"skipped {stale[0]} (text): kept: its text was written by hand (never generated); " \
           "to replace it, generate with --overwrite" in result.output
    assert snapshot(sample) == before
    result = cli("generate", "--stale", "--overwrite", "-j", "2", cwd=sample.root)
    assert result.exit_code == 0 and f"done {len(stale)}" in result.output
    index = open_index(sample)
    try:
        assert index.blocks("state = 'stale'") == []
    finally:
        index.close()


def test_budget_stops_generation_that_would_exceed_it(sample, generator, fake):
    (sample.root / "cinefile.toml").write_text('name = "Night Ferry"\n[budget]\nlimit_usd = 0.005\n')
    gen = generator()
    before = (sample.root / "shooting/shot-1b.md").read_bytes()
    result = run_batch(gen, [("shot-1a", "image"), ("shot-1b", "image"), ("shot-2a", "image")], None, 1)
    statuses = {o.key: o.status for o in result.outcomes}
    assert statuses == {"shot-1a": DONE, "shot-1b": FAILED, "shot-2a": "skipped"}
    assert "budget: this would take spend to $0.0060, over the $0.0050 limit" in result.outcomes[1].message
    assert len(fake.calls("POST", "/predictions")) == 1
    assert (sample.root / "shooting/shot-1b.md").read_bytes() == before


def test_cache_and_ledger_survive_deleting_the_index(sample, generator, fake, index_of, keys, clock):
    from cinefile.daemon.generate.runner import Generator

    gen = generator()
    text = gen.run(gen.plan("logline", "text"))
    still = gen.run(gen.plan("shot-1a", "image"))
    assert (text.status, still.status) == (DONE, DONE)
    approve_then = gen.index.query("SELECT a.hash, b.role FROM block_assets b JOIN assets a ON a.id = b.asset_id")
    gen.index.close()
    for path in sample.root.glob("project.db*"):
        path.unlink()
    index = open_index(sample)
    try:
        sync(sample, index)
        # The asset tables come back from frontmatter and assets/.
        assert index.query("SELECT a.hash, b.role FROM block_assets b JOIN assets a ON a.id = b.asset_id") == approve_then
        meta = json.loads(index.query("SELECT meta_json FROM assets")[0]["meta_json"])
        assert meta["model"] == "black-forest-labs/flux-schnell" and meta["block"] == "shot-1a"
        again = Generator(Project(sample.root), index, keys=keys, clock=clock, apply=lambda job, result: None)
        created = len(fake.calls("POST", "/predictions"))
        assert again.run(again.plan("shot-1a", "image")).status == "cached"
        assert len(fake.calls("POST", "/predictions")) == created  # never paid twice
        assert len(again.ledger.entries()) == 2 and again.ledger.total() == pytest.approx(text.cost + still.cost)
        again.close()
    finally:
        index.close()


def test_a_result_is_kept_even_when_writing_the_block_fails(sample, generator, fake):
    """The file broke while its text was generated: the result is paid for and kept (cache,
    ledger), the outcome says so, and once the file is fixed the same job costs nothing."""
    gen = generator()
    job = gen.plan("logline", "text")
    path = sample.root / "story/logline.md"
    good = path.read_text()
    path.write_text("no frontmatter any more\n")
    outcome = gen.run(job)
    assert outcome.status == FAILED and "story/logline.md: the file has no frontmatter" in outcome.message
    assert "the result is kept: generate again to use it at no cost" in outcome.message
    assert outcome.cost == fake.usage_cost  # it was paid for
    assert gen.cache.get(job.cache_key)["text"] == fake.answer and len(gen.ledger.entries()) == 1
    assert path.read_text() == "no frontmatter any more\n"
    path.write_text(good)
    calls = len(fake.calls("POST", "chat"))
    assert gen.run(job).status == "cached" and len(fake.calls("POST", "chat")) == calls
    assert parse_block("story/logline.md", path.read_bytes()).body.startswith(fake.answer[:20])


def test_text_edited_while_it_was_generated_is_kept(sample, generator, fake):
    """The person edits the body while the model answers: their text stays, the outcome is
    skipped and says why, and the result waits in the cache."""
    gen = generator(overwrite=False)
    job = gen.plan("logline", "text")
    path = sample.root / "story/logline.md"
    mine = "---\ntype: logline\n---\nMy own logline, typed meanwhile.\n"
    fake.on_request = lambda request: path.write_text(mine) if "chat" in str(request.url) else None
    outcome = gen.run(job)
    assert outcome.status == "skipped" and outcome.kept_text and "kept: its text was written by hand" in outcome.message
    assert path.read_text() == mine and gen.cache.get(job.cache_key) is not None


def test_keys_never_reach_disk_db_history_exports_or_messages(sample, cli, env_keys, capfd, caplog):
    import logging

    caplog.set_level(logging.DEBUG)  # every logger, httpx's included, at its most talkative
    fake = env_keys
    outputs = []
    outputs.append(cli("generate", "scene-1", "logline", "--overwrite", cwd=sample.root).output)
    outputs.append(cli("generate", "shot-1a", "--kind", "image", cwd=sample.root).output)
    outputs.append(cli("approve", "shot-1a", cwd=sample.root).output)
    outputs.append(cli("generate", "shot-1a", "--kind", "video", cwd=sample.root).output)
    fake.queued["chat"].append(or_error(401, f"User not found. Bearer {OPENROUTER_KEY}"))  # even if a server echoes it
    outputs.append(cli("generate", "concept", "--force", "--overwrite", cwd=sample.root).output)
    outputs.append(cli("models", "--json", cwd=sample.root).output)
    outputs.append(cli("export", cwd=sample.root).output)
    outputs.append(cli("cost", cwd=sample.root).output)
    captured = capfd.readouterr()
    assert "refused the API key (User not found. Bearer ***)" in "".join(outputs)
    assert "HTTP Request: POST https://api.replicate.com" in caplog.text  # the logs were captured
    everything = [o.encode() for o in outputs] + [captured.out.encode(), captured.err.encode(), caplog.text.encode()]
    everything += [p.read_bytes() for p in sample.root.rglob("*") if p.is_file()]  # files, db, wal, assets, exports
    for secret in (OPENROUTER_KEY, REPLICATE_KEY):
        for blob in everything:
            assert secret.encode() not in blob
    # The keys were really used.
    assert any(c[2].get("authorization") == f"Bearer {REPLICATE_KEY}" for c in fake.log)


@pytest.fixture
def ctrl_c_delivered():
    """Ctrl-C handled as Python does from a terminal: a suite run in the background of a
    script starts with SIGINT ignored, and then so would the command."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_is_left_ignored_where_it_was_ignored():
    """Started with Ctrl-C ignored (in the background of a script), a batch does not take it
    over; otherwise its first Ctrl-C cancels, and the handler is put back after."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with ctrl_c_cancels(lambda: None):
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        signal.signal(signal.SIGINT, signal.default_int_handler)
        heard = []
        with ctrl_c_cancels(lambda: heard.append("cancel")):
            _thread.interrupt_main()
            signal.getsignal(signal.SIGINT)  # a call: the interpreter runs the handler between them
        assert heard == ["cancel"] and signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, previous)


def test_ctrl_c_cancels_in_flight_predictions_and_leaves_nothing_half_written(sample, cli, env_keys, ctrl_c_delivered):
    fake = env_keys
    fake.wait_finishes = False
    fake.polls_to_finish = 10**9
    pressed = []

    def press_ctrl_c(prediction) -> None:  # as if the user pressed Ctrl-C once a prediction runs
        if not pressed:
            pressed.append(prediction["id"])
            _thread.interrupt_main()

    fake.on_create = press_ctrl_c
    before = snapshot(sample)
    result = cli("generate", "shot-1a", "shot-1b", "--kind", "image", "-j", "2", cwd=sample.root)
    assert result.exit_code == 130, result.output
    assert "interrupted: in-flight predictions were cancelled; nothing was left half-written" in result.output
    created = [c for c in fake.calls("POST", "/predictions") if "cancel" not in c[1]]
    assert created and len(fake.cancelled) == len(created)
    assert snapshot(sample) == before  # no block touched, no asset, no cache entry, no temp file


def test_models_command_lists_draft_and_final_with_prices(sample, cli, env_keys):
    result = cli("models", "--kind", "text", "--draft", "--json", cwd=sample.root)
    assert result.exit_code == 0, result.output
    listed = {m["id"]: m for m in json.loads(result.output)["models"]}
    assert set(listed) == {"meta-llama/llama-3.2-3b-instruct:free", "cheap/tiny-model", "openai/gpt-4o-mini"}
    assert listed["cheap/tiny-model"]["usd_per_1k_tokens"] == pytest.approx(0.0003)
    assert listed["cheap/tiny-model"]["price"] == "$0.00030/1k tokens"
    result = cli("models", "--kind", "video", "--final", "--json", cwd=sample.root)
    videos = {m["id"]: m for m in json.loads(result.output)["models"]}
    assert videos["minimax/video-01"]["start_image_field"] == "first_frame_image"
    assert videos["minimax/video-01"]["price"] == "$0.1000/s of output (table)"
    assert "wan-video/wan-2.2-t2v-fast" not in videos
    table = cli("models", "--kind", "audio", cwd=sample.root).output
    assert "jaaari/kokoro-82m" in table and "meta/musicgen" in table


def test_models_without_keys_says_the_mock_runs_and_what_a_key_would_run(sample, cli, fake):
    """No keys and no list fetched yet: what runs is the mock, said plainly per provider, then
    what would run with the key: the final text model cinefile defaults to, and what
    cinefile.toml names. No network, and not a failure."""
    (sample.root / "cinefile.toml").write_text('name = "Night Ferry"\n[models.draft]\nimage = "black-forest-labs/flux-schnell"\n')
    result = cli("models", cwd=sample.root)
    assert result.exit_code == 0, result.output
    assert "no OpenRouter key: text runs on the free mock; with OPENROUTER_API_KEY these would run:" in result.output
    assert "no Replicate key: image, video and audio run on the free mock; with REPLICATE_API_TOKEN these would run:" \
        in result.output
    assert "text draft: the cheapest OpenRouter model under $0.001 per 1k tokens" in result.output
    data = json.loads(cli("models", "--kind", "image", "--json", cwd=sample.root).output)
    assert data["notes"][0] == "no Replicate key: image runs on the free mock; with REPLICATE_API_TOKEN these would run:"
    assert [(m["id"], m["mode"], m["price"], m["source"]) for m in data["models"]] == [
        ("black-forest-labs/flux-schnell", "draft", "$0.0030/image (table)", "cinefile.toml")]
    text = json.loads(cli("models", "--kind", "text", "--final", "--json", cwd=sample.root).output)
    assert [(m["id"], m["source"]) for m in text["models"]] == [("anthropic/claude-sonnet-4.5", "default")]
    assert fake.log == [] and data["errors"] == []


def test_models_without_a_key_lists_the_last_list_fetched(sample, cli, env_keys, monkeypatch):
    """Once a list was fetched with a key, a session without it still shows that list."""
    assert cli("models", "--kind", "text", cwd=sample.root).exit_code == 0
    monkeypatch.delenv("OPENROUTER_API_KEY")
    calls = len(env_keys.log)
    data = json.loads(cli("models", "--kind", "text", "--draft", "--json", cwd=sample.root).output)
    assert data["notes"] == ["no OpenRouter key: text runs on the free mock; with OPENROUTER_API_KEY these would run:"]
    assert {m["id"] for m in data["models"]} == {"meta-llama/llama-3.2-3b-instruct:free", "cheap/tiny-model", "openai/gpt-4o-mini"}
    assert {m["source"] for m in data["models"]} == {"cached list"} and len(env_keys.log) == calls


def test_every_command_has_help_with_an_example(cli):
    for name in ("generate", "approve", "models", "cost"):
        result = cli(name, "--help")
        assert result.exit_code == 0 and "Example:" in result.output
