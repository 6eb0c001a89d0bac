"""The sidebar: the project at a glance, the session's mode and models, spend against the
budget, and API keys that live in the browser session only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cinefile.daemon.api import GenerationPlan, ModelListing, ProjectAPI
from cinefile.daemon.generate.ledger import LEDGER_NAME
from cinefile.daemon.generate.keys import find_keys

from . import select_block

SECRET = "sk-or-v1-studio-typed-" + "7e57" * 8


def sidebar_text(at) -> str:
    return "\n".join(str(e.value) for kind in (at.sidebar.caption, at.sidebar.header, at.sidebar.markdown) for e in kind)


def test_the_sidebar_shows_the_project_its_counts_and_that_there_are_no_keys(studio):
    at = studio()
    assert at.sidebar.header[0].value == "Night Ferry"
    metrics = {m.label: m.value for m in at.sidebar.metric}
    assert metrics == {"Blocks": "20", "Stale": "5", "Problems": "0"}
    assert "1 never reviewed" in sidebar_text(at)
    assert "No keys: generation runs the free mock" in sidebar_text(at)
    assert "Spent $0.00 so far" in sidebar_text(at)
    assert [s.key for s in at.sidebar.selectbox] == ["model_text", "model_image", "model_video", "model_audio"]


def test_the_sidebar_counts_without_listing_every_stale_block_and_problem(studio, monkeypatch):
    """Every click reruns the sidebar: it asks the status for counts only (the lists of a big
    project took most of a save's time at 100,000 blocks)."""
    asked = []
    status = ProjectAPI.status
    monkeypatch.setattr(ProjectAPI, "status", lambda api, shown=None: asked.append(shown) or status(api, shown))
    at = studio()
    assert asked == [0]
    metrics = {m.label: m.value for m in at.sidebar.metric}
    assert metrics == {"Blocks": "20", "Stale": "5", "Problems": "0"}


def test_the_draft_final_switch_is_the_sessions_and_leaves_the_project_as_it_is(studio, film):
    at = studio()
    config = (film / "cinefile.toml").read_text()
    assert at.radio(key="mode").value == "draft"
    at.radio(key="mode").set_value("final").run()
    assert at.session_state["mode"] == "final"
    assert "**Final mode** for generation in this session (the project says draft)" in sidebar_text(at)
    at.switch_page("views/design.py").run()
    assert at.radio(key="mode").value == "final"  # kept from page to page
    assert (film / "cinefile.toml").read_text() == config


def test_a_model_picked_for_a_kind_is_kept_for_the_session(studio):
    at = studio()
    picker = at.selectbox(key="model_text")
    assert picker.options[0] == "automatic, for the mode"
    labelled = [o for o in picker.options[1:] if " · " in o]
    assert labelled and all(o.split(" · ")[0] in ("draft", "final") for o in labelled)  # tier, id, price
    model_id = labelled[0].split(" · ")[1]
    picker.set_value(model_id).run()
    at.switch_page("views/shooting.py").run()
    assert at.session_state["models"] == {"text": model_id}


def test_spend_is_shown_against_the_budget(film, studio):
    config = film / "cinefile.toml"
    config.write_text(config.read_text().replace("# limit_usd = 10.0", "limit_usd = 10.0"))
    (film / "assets" / LEDGER_NAME).write_text(json.dumps({"cost": 2.5, "kind": "image", "mode": "draft"}) + "\n")
    at = studio()
    assert at.sidebar.progress[0].value == 25
    assert "Spent $2.50 of the $10.00 budget" in str(at.sidebar.progress[0].proto.text)


def test_a_key_typed_wins_over_the_environment_and_never_reaches_a_file(studio, film, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-from-the-environment")
    asked_with = []

    def models(self, kind=None, tier=None, refresh=False, *, keys=None):
        asked_with.append(keys)  # no provider is asked in a test: the key is made up, and no network
        return ModelListing()

    def plan_generation(self, targets, mode=None, **options):
        asked_with.append(options.get("keys"))
        return GenerationPlan()

    monkeypatch.setattr(ProjectAPI, "models", models)
    monkeypatch.setattr(ProjectAPI, "plan_generation", plan_generation)  # the block's generation panel
    at = studio()
    assert "OpenRouter: the environment's key" in at.sidebar.caption[-1].value
    at.text_input(key="key_openrouter").set_value(SECRET).run()
    assert "OpenRouter: the key typed here" in at.sidebar.caption[-1].value
    assert asked_with[-1].openrouter.reveal() == SECRET  # the typed key wins
    assert "Replicate: no key" in at.sidebar.caption[-1].value
    for page in ("views/story.py", "views/design.py", "views/shooting.py"):
        at.switch_page(page).run()
        assert not at.exception
    select_block(at, "shot-1a")
    at.text_area(key="body").set_value("A new frame.\n").run()
    at.button(key="save").click().run()  # a write, a sync, a history row: none carries the key
    assert all(keys.openrouter.reveal() == SECRET for keys in asked_with[-3:])  # the page's plans had it too
    assert SECRET not in str(dict(at.query_params))
    leaks = [path for folder in (film, tmp_path / "config") for path in folder.rglob("*")
             if path.is_file() and SECRET.encode() in path.read_bytes()]
    assert leaks == []
    assert (tmp_path / "config" / "cinefile" / "recent.json").exists()  # the one file the studio writes there


@pytest.mark.parametrize(("typed", "environ", "expected"), [
    ({"openrouter": "typed"}, {"OPENROUTER_API_KEY": "env"}, ("typed", None)),
    ({}, {"OPENROUTER_API_KEY": "env", "REPLICATE_API_TOKEN": "rep"}, ("env", "rep")),
    ({"replicate": "  "}, {}, (None, None)),
])
def test_keys_typed_first_then_the_environment(typed, environ, expected):
    keys = find_keys(session=typed, environ=environ)  # what the studio's generation_keys() asks
    assert tuple(k and k.reveal() for k in (keys.openrouter, keys.replicate)) == expected


def test_recent_projects_are_remembered(studio, film, tmp_path):
    studio()
    assert json.loads((tmp_path / "config/cinefile/recent.json").read_text()) == [str(Path(film).resolve())]
