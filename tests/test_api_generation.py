"""Generation through the project API, on the sample film in mock mode (no keys, no network):
targets, plans and their cost, runs with progress, cancel and results handed out, a
person's own text kept unless asked, the one write-back, models without keys, the ledger."""

from __future__ import annotations

import json
import threading

import pytest

from cinefile.daemon.api import NoSuchBlock, ProjectAPI
from cinefile.daemon.errors import UserError
from cinefile.daemon.generate.keys import Keys
from cinefile.format.own_text import body_hash
from cinefile.daemon.generate.writeback import TextKept
from cinefile.format.parse import parse_text
from cinefile.format.templates import block_template

from generate_fixtures import fake  # noqa: F401  (fixture: no keys in the environment, no network)

NO_KEYS = Keys()


@pytest.fixture
def api(sample, index_of, fake):
    return ProjectAPI(sample, index=index_of(sample))


def text_of(api: ProjectAPI, rel: str) -> str:
    return (api.root / rel).read_text(encoding="utf-8")


def history_texts(api: ProjectAPI, key: str) -> list[str]:
    return [revision.previous for revision in api.history(key) if revision.commit is None]


# -- what to generate ---------------------------------------------------------------------

def test_targets_by_id_or_path_stale_or_phase(api):
    assert api.generation_targets(["scene-1", "story/logline.md", "scene-1"]) == [("scene-1", "text"), ("logline", "text")]
    stale = {key for key, _ in api.generation_targets(stale=True)}
    assert stale == {r["key"] for r in api.index.blocks("state = 'stale'")} and "scene-1" in stale
    # Only the types a kind is for: stills are for shots and design blocks, not scenes.
    assert [key for key, _ in api.generation_targets(stale=True, kind="image")] == ["shot-1a", "shot-1b"]
    design = api.generation_targets(phase="Design", kind="image")
    assert ("mara", "image") in design and all(kind == "image" for _, kind in design)


def test_targets_refuse_what_cannot_be_meant(api):
    with pytest.raises(UserError, match="say what to generate"):
        api.generation_targets()
    with pytest.raises(UserError, match="say what to generate"):
        api.generation_targets(["scene-1"], stale=True)
    with pytest.raises(UserError, match=r"--kind imag: unknown \(did you mean `image`\?\)"):
        api.generation_targets(["scene-1"], kind="imag")
    with pytest.raises(NoSuchBlock, match=r"no block `logine` \(did you mean `logline`\?\)"):
        api.generation_targets(["logine"])
    with pytest.raises(NoSuchBlock, match="no block `a`, `b`: check the ids"):
        api.generation_targets(["a", "scene-1", "b"])


def test_kinds_for_a_type_stills_before_video():
    assert ProjectAPI.kinds_for("shot") == ["text", "image", "video", "audio"]
    assert ProjectAPI.kinds_for("scene") == ["text", "audio"] and ProjectAPI.kinds_for("logline") == ["text"]


# -- plan and cost -------------------------------------------------------------------------

def test_plan_has_jobs_errors_kept_text_notes_and_the_estimate_line(api):
    plan = api.plan_generation([("shot-1a", "image"), ("mara", "video"), ("scene-1", "text")], keys=NO_KEYS)
    assert [(j.key, j.kind, j.provider) for j in plan.jobs] == [("shot-1a", "image", "mock")]
    assert [(e.id, e.kind) for e in plan.errors] == [("mara", "video")]
    assert "video generation is for shot, location" in plan.errors[0].message
    assert [(k.id, k.kind) for k in plan.kept] == [("scene-1", "text")]
    assert plan.kept[0].message.startswith("kept: its text was written by hand (never generated)")
    assert plan.notes == ["no OpenRouter key (OPENROUTER_API_KEY is not set): text runs in mock mode, free and offline",
                          "no Replicate key (REPLICATE_API_TOKEN is not set): image and video run in mock mode, free and offline"]
    assert plan.estimate_line == "1 to generate, about $0.0000 before cache hits"
    data = plan.to_json()
    assert data["kept"][0]["id"] == "scene-1" and data["errors"][0]["id"] == "mara" and data["estimate_usd"] == 0
    overwriting = api.plan_generation([("scene-1", "text")], keys=NO_KEYS, overwrite=True)
    assert [j.key for j in overwriting.jobs] == ["scene-1"] and overwriting.kept == []
    assert api.plan_generation([("shot-1a", "image")], mock=True).notes == []  # asked for: nothing to explain


def test_cost_text_as_titles_show_it(api):
    from cinefile.daemon.generate.costs import cost_text

    assert cost_text(0.0030, "replicate") == "~$0.003" and cost_text(0.00001, "openrouter") == "~$0"
    assert cost_text(1.0, "replicate") == "~$1" and cost_text(0.2, "mock") == "mock, free"


def test_cost_is_the_ledger_summary(api):
    assert api.cost() == {"total": 0, "calls": 0, "by": {"mode": {}, "provider": {}, "kind": {}, "block": {}}}
    ledger = api.root / "assets" / "ledger.jsonl"
    ledger.write_text(json.dumps({"block": "shot-1a", "kind": "image", "mode": "draft", "provider": "replicate",
                                  "cost": 0.003}) + "\n")
    summary = api.cost()
    assert summary["total"] == 0.003 and summary["calls"] == 1 and summary["by"]["block"] == {"shot-1a": 0.003}


# -- a person's own text -------------------------------------------------------------------

def test_hand_written_text_is_kept_and_said_why_unless_overwrite(api):
    before = text_of(api, "story/scene-1.md")
    result = api.generate([("scene-1", "text"), ("logline", "text")], keys=NO_KEYS)
    assert [(o.key, o.status, o.kept_text) for o in result.outcomes] == [("scene-1", "skipped", True), ("logline", "skipped", True)]
    assert "to replace it, generate with --overwrite" in result.outcomes[0].message
    assert result.complete  # keeping a person's text is the rule working, not a failure
    assert text_of(api, "story/scene-1.md") == before

    (outcome,) = api.generate([("scene-1", "text")], keys=NO_KEYS, overwrite=True).outcomes
    assert outcome.status == "done"
    block = parse_text("story/scene-1.md", text_of(api, "story/scene-1.md"))
    assert block.body != parse_text("story/scene-1.md", before).body
    assert block.frontmatter["generated"]["body"] == body_hash(block.body)
    assert before in history_texts(api, "scene-1")  # the old text stays in history


def test_generated_text_may_be_generated_again_until_a_person_edits_it(api):
    api.generate([("logline", "text")], keys=NO_KEYS, overwrite=True)
    # The same body, retyped with other line endings and trailing spaces, is not an edit.
    path = api.root / "story/logline.md"
    path.write_bytes(path.read_bytes().replace(b"\n", b"  \r\n"))
    api.sync()
    (again,) = api.generate([("logline", "text")], mode="final", keys=NO_KEYS).outcomes
    assert again.status in ("done", "cached") and not again.kept_text
    path.write_text(text_of(api, "story/logline.md") + "A line of my own.\n")
    api.sync()
    (edited,) = api.generate([("logline", "text")], keys=NO_KEYS).outcomes
    assert edited.status == "skipped" and "edited by hand since it was generated" in edited.message
    assert text_of(api, "story/logline.md").endswith("A line of my own.\n")


def test_an_empty_body_or_the_new_block_template_is_filled(api):
    api.apply(api.new_block("scene", "scene-9", parent="beat-1"))
    assert text_of(api, "story/scene-9.md") == block_template("scene", "scene-9").replace(
        "type: scene\n", "type: scene\nparent: beat-1\n")
    (outcome,) = api.generate([("scene-9", "text")], keys=NO_KEYS).outcomes
    assert outcome.status == "done" and "One continuous scene" not in text_of(api, "story/scene-9.md")
    (api.root / "story/scene-8.md").write_text("---\ntype: scene\ntitle: Empty\n---\n")
    api.sync()
    assert api.kept_text_reason("scene-8") is None
    assert api.kept_text_reason("scene-8", "---\ntype: scene\n---\nTyped in the editor.\n").startswith("kept:")


def test_media_only_append_their_links_and_keep_the_text_generatable(api):
    api.generate([("logline", "text")], keys=NO_KEYS, overwrite=True)
    api.generate([("shot-1a", "text")], keys=NO_KEYS, overwrite=True)
    body_before = parse_text("shooting/shot-1a.md", text_of(api, "shooting/shot-1a.md")).body
    (still,) = api.generate([("shot-1a", "image")], keys=NO_KEYS).outcomes
    body = parse_text("shooting/shot-1a.md", text_of(api, "shooting/shot-1a.md")).body
    assert body.startswith(body_before.rstrip("\n")) and still.assets[0] in body
    # The embed line does not count as an edit: text may replace the body again, keeping the link.
    (text,) = api.generate([("shot-1a", "text")], mode="final", keys=NO_KEYS).outcomes
    assert text.status == "done" and still.assets[0] in text_of(api, "shooting/shot-1a.md")


# -- running -------------------------------------------------------------------------------

def test_progress_outcomes_and_cancel(api):
    events, outcomes = [], []
    result = api.generate([("shot-1a", "image"), ("mara", "image")], keys=NO_KEYS, jobs=1,
                          on_progress=lambda job, stage: events.append((job.key, stage)), on_outcome=outcomes.append)
    assert [o.status for o in result.outcomes] == ["done", "done"] and outcomes == result.outcomes
    assert ("shot-1a", "planned") in events and ("mara", "running") in events
    cancel = threading.Event()
    cancel.set()
    before = text_of(api, "shooting/shot-1b.md")
    (cancelled,) = api.generate([("shot-1b", "image")], keys=NO_KEYS, cancel=cancel).outcomes
    assert cancelled.status == "cancelled" and text_of(api, "shooting/shot-1b.md") == before


def test_a_failure_leaves_the_batch_incomplete(api):
    result = api.generate([("mara", "video"), ("shot-1a", "image")], keys=NO_KEYS)
    assert [o.status for o in result.outcomes] == ["failed", "done"] and not result.complete


def test_results_go_to_on_result_instead_and_the_change_comes_from_the_callers_text(api):
    """What the language server does: take each result, and compute the change from its
    buffer, which may differ from the file."""
    handed = []
    before = text_of(api, "story/logline.md")
    (outcome,) = api.generate([("logline", "text")], keys=NO_KEYS, overwrite=True,
                              on_result=lambda job, result: handed.append((job, result))).outcomes
    assert outcome.status == "done" and text_of(api, "story/logline.md") == before  # nothing written
    (job, result) = handed[0]
    buffer = before.replace("---\ntype: logline\n", "---\ntype: logline\nnote: typed in the editor\n")
    change = api.result_change(job, result, buffer, overwrite=True)
    assert change.path == "story/logline.md" and change.old_text == buffer
    assert "note: typed in the editor" in change.new_text and "generated:" in change.new_text
    with pytest.raises(TextKept, match="written by hand"):
        api.result_change(job, result, buffer)
    # Without a text, the change is computed from the file, and applies through the guarded write.
    api.apply(api.result_change(job, result, overwrite=True))
    assert parse_text("story/logline.md", text_of(api, "story/logline.md")).body.strip() == (result.text or "").strip()


def test_the_buffer_decides_whether_text_is_kept(api):
    """`text_of` gives the text to judge by: an open buffer holding the new-block template is
    filled even though the file on disk holds a person's text."""
    template = block_template("logline", "logline")
    (outcome,) = api.generate([("logline", "text")], keys=NO_KEYS, text_of=lambda path: template,
                              on_result=lambda job, result: None).outcomes
    assert outcome.status == "done"


# -- keys and models -----------------------------------------------------------------------

def test_session_keys_come_before_the_environment(api, monkeypatch):
    api.session_keys = {"openrouter": "from-the-editor"}
    assert api.generation_keys().openrouter.reveal() == "from-the-editor" and api.generation_keys().replicate is None
    assert api.generation_keys({"replicate": "r8-session"}).replicate.reveal() == "r8-session"
    monkeypatch.setenv("OPENROUTER_API_KEY", "from-the-environment")
    assert api.generation_keys().openrouter.reveal() == "from-the-editor"
    assert api.generation_keys({}).openrouter.reveal() == "from-the-environment"
    assert api.generation_keys(NO_KEYS) is NO_KEYS


def test_models_without_keys_say_the_mock_runs_and_what_a_key_would(api, fake):
    listing = api.models(keys=NO_KEYS)
    assert listing.notes[0] == "no OpenRouter key: text runs on the free mock; with OPENROUTER_API_KEY these would run:"
    assert "no Replicate key: image, video and audio run on the free mock; with REPLICATE_API_TOKEN these would run:" \
        in listing.notes
    assert [(m.id, m.tier, m.source) for m in listing.models] == [("anthropic/claude-sonnet-4.5", "final", "default")]
    assert listing.errors == [] and fake.log == []
    assert api.models("text", "draft", keys=NO_KEYS).models == []
    with pytest.raises(UserError, match="tier fast: unknown"):
        api.models(tier="fast")
