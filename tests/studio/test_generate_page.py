"""The Generate page and the generation panels: a still made in mock mode, approved, and seen
in the storyboard; the cost before the click; a batch with progress, cancel and a summary;
video only from an approved still; the animatic; failures as one message."""

from __future__ import annotations

import shutil
import threading

import pytest
from cinefile.daemon.api import ProjectAPI
from streamlit.testing.v1 import AppTest

from . import TIMEOUT

RUN_WAIT_S = 30  # a deadline, never a pause: the mock takes milliseconds


def finished(at: AppTest) -> AppTest:
    """Wait for the session's generation run to end, then show the page as it is now."""
    assert at.session_state["generation_run"].wait(RUN_WAIT_S), "the generation run did not end"
    return at.run()


def panel(block_id: str) -> None:
    """A page showing only the panel the phase pages show for their selected block."""
    from cinefile.studio.context import project_api
    from cinefile.studio.generation_panel import block_generation

    block_generation(project_api(), block_id)


@pytest.fixture
def panel_session(studio):
    """A session of a page with only the panel, for a block (the film is served by `studio`)."""
    def open_panel(block_id: str) -> AppTest:
        return AppTest.from_function(panel, kwargs={"block_id": block_id}, default_timeout=TIMEOUT).run()

    return open_panel


def assets(root, block_id: str, role: str) -> list:
    with ProjectAPI.open(root) as api:
        return [a for a in api.card(block_id).assets if a.role == role]


def button_keys(at: AppTest) -> set[str]:
    return {button.key for button in at.button}


def test_a_still_is_generated_approved_and_shown_in_the_storyboard(studio, film):
    at = studio("views/generate.py")
    assert "approve_shot-1a" not in button_keys(at)
    images_before = len(at.image)
    at.button(key="regenerate_shot-1a").click().run()
    finished(at)
    assert at.status[0].label == "Generation finished: 1 done, 0 failed · $0.0000"
    [still] = assets(film, "shot-1a", "still")
    assert not still.approved and (film / still.path).is_file()
    assert len(at.image) == images_before + 1
    assert ":gray-badge[not approved]" in [m.value for m in at.markdown]

    at.button(key="approve_shot-1a").click().run()
    assert not at.exception and not at.error
    [still] = assets(film, "shot-1a", "still")
    assert still.approved
    assert ":green-badge[:material/check: approved]" in [m.value for m in at.markdown]
    assert "approve_shot-1a" not in button_keys(at)  # nothing left to approve


def test_the_storyboard_groups_shots_by_scene_and_marks_the_stale(studio):
    at = studio("views/generate.py")
    assert [h.value for h in at.subheader][:2] == ["The Ramp · `scene-1`", "The Wheelhouse · `scene-2`"]
    keys = [b.key for b in at.button if b.key.startswith("regenerate_")]
    assert keys[:3] == ["regenerate_shot-1a", "regenerate_shot-1b", "regenerate_shot-2a"]
    assert ":orange-badge[:material/warning: stale] mara-raincoat changed" in [m.value for m in at.markdown]
    assert {"regenerate_mara", "regenerate_ferry-deck", "regenerate_mara-raincoat"} <= set(keys)  # the lookbook


def test_video_is_offered_only_from_an_approved_still(studio, film):
    at = studio("views/generate.py")
    video = at.button(key="video_shot-1b")
    assert video.disabled and "has no approved still" in video.help
    at.button(key="regenerate_shot-1b").click().run()
    finished(at).button(key="approve_shot-1b").click().run()
    video = at.button(key="video_shot-1b")
    assert not video.disabled and video.help == "Video with `mock` · mock, free"
    video.click().run()
    finished(at)
    assert at.status[0].label.startswith("Generation finished: 1 done")
    [clip] = assets(film, "shot-1b", "video")
    assert (film / clip.path).is_file()
    assert at.get("video") or at.image  # an MP4 plays; without ffmpeg the mock made a GIF


def test_the_panel_says_model_and_cost_before_the_click_and_refuses_video_without_a_still(panel_session, film):
    at = panel_session("shot-1b")
    kind = at.selectbox(key="gen_kind_shot-1b")
    assert kind.options == ["Text", "Still", "Video", "Audio"]
    kind.set_value("video").run()
    assert "has no approved still" in at.warning[0].value
    assert at.button(key="generate_shot-1b").disabled
    at.selectbox(key="gen_kind_shot-1b").set_value("image").run()
    assert "shot-1b: still with `mock` (mock, draft) · mock, free" in [c.value for c in at.caption]
    assert not at.warning
    at.button(key="generate_shot-1b").click().run()
    finished(at)
    assert at.status[0].label.startswith("Generation finished: 1 done")
    assert assets(film, "shot-1b", "still")


def test_hand_written_text_is_replaced_only_when_asked(panel_session, film):
    at = panel_session("scene-2")
    assert at.selectbox(key="gen_kind_scene-2").value == "text"
    assert "written by hand" in at.info[0].value
    assert at.button(key="generate_scene-2").disabled
    before = (film / "story/scene-2.md").read_text()
    at.checkbox(key="gen_overwrite_scene-2").check().run()
    assert not at.info
    at.button(key="generate_scene-2").click().run()
    finished(at)
    assert at.status[0].label.startswith("Generation finished: 1 done")
    assert (film / "story/scene-2.md").read_text() != before


def test_a_batch_shows_what_it_will_do_then_a_summary(studio, film):
    at = studio("views/generate.py")
    at.radio(key="batch_scope").set_value("phase").run()
    at.selectbox(key="batch_phase").set_value("Shooting").run()
    at.selectbox(key="batch_kind").set_value("image").run()
    assert "3 to generate, about $0.0000 before cache hits" in [c.value for c in at.caption]
    at.button(key="batch_generate").click().run()
    finished(at)
    assert at.status[0].label == "Generation finished: 3 done, 0 failed · $0.0000"
    assert all(assets(film, shot, "still") for shot in ("shot-1a", "shot-1b", "shot-2a"))

    at.button(key="generation_dismiss").click().run()
    assert not at.status
    at.button(key="batch_generate").click().run()  # the same requests again: from the cache, free
    finished(at)
    assert at.status[0].label == "Generation finished: 0 done, 3 cached, 0 failed · $0.0000"


def test_a_selection_batch_says_why_a_target_cannot_run(studio):
    at = studio("views/generate.py")
    at.radio(key="batch_scope").set_value("selection").run()
    at.multiselect(key="batch_selection").set_value(["shot-1a", "mara"]).run()
    at.selectbox(key="batch_kind").set_value("video").run()
    assert "`shot-1a` has no approved still" in at.warning[0].value
    assert at.button(key="batch_generate").label == "Generate 0" and at.button(key="batch_generate").disabled


def test_cancel_stops_a_running_batch_and_writes_nothing(studio, monkeypatch, film):
    from cinefile.daemon.generate.providers.mock import Mock

    started, original = threading.Event(), Mock.run

    def held(self, request, context):  # a slow provider: runs until the batch is cancelled
        started.set()
        context.cancel.wait(RUN_WAIT_S)
        return original(self, request, context)

    monkeypatch.setattr(Mock, "run", held)
    at = studio("views/generate.py")
    at.selectbox(key="batch_kind").set_value("image").run()  # every stale block: shot-1a, shot-1b
    at.button(key="batch_generate").click().run()
    assert started.wait(RUN_WAIT_S)
    at.run()
    assert at.status[0].label == "Generating: 0 of 2 done" and at.status[0].state == "running"
    assert at.button(key="batch_generate").disabled
    at.button(key="generation_cancel").click().run()
    finished(at)
    assert at.status[0].label == "Generation finished: 0 done, 0 failed, 2 cancelled · $0.0000"
    assert not assets(film, "shot-1a", "still") and not assets(film, "shot-1b", "still")


def test_a_bad_block_is_one_message_not_a_traceback(panel_session):
    at = panel_session("no-such-block")
    assert not at.exception
    assert [e.value for e in at.error] == ["no block `no-such-block`: check the id with `cinefile list`"]


def test_the_animatic_without_ffmpeg_says_why_in_one_line(studio, monkeypatch, tmp_path):
    at = studio("views/generate.py")
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    at.button(key="animatic_build").click().run()
    assert not at.exception
    [error] = at.error  # one line, the API's: what is missing and how to get it
    assert error.value.startswith("animatic: ffmpeg is not installed or not on PATH: install it")
    assert not at.get("video")


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="the animatic needs ffmpeg")
def test_the_animatic_is_built_and_played(studio):
    at = studio("views/generate.py")
    at.button(key="animatic_build").click().run()
    assert not at.exception and not at.error
    assert at.success[0].value == "Built exports/animatic.mp4"
    assert len(at.get("video")) == 1


def test_a_card_says_when_its_media_are_not_here_and_how_to_get_them(studio, film):
    """A clone whose media live in a remote store: the card says to pull, not that it is broken."""
    with (film / "cinefile.toml").open("a") as config:
        config.write('\n[remote]\nurl = "s3://films/night-ferry"\n')
    at = studio("views/generate.py")
    at.button(key="regenerate_shot-1a").click().run()
    finished(at)
    [still] = assets(film, "shot-1a", "still")
    (film / still.path).unlink()  # as in a clone that has not pulled it
    at.run()
    assert "1 linked asset(s) not in assets/ here: fetch them with `cinefile assets pull`" in \
        [caption.value for caption in at.caption]
