"""The mock provider, prompts and templates, and the body edit that text generation relies on."""

from __future__ import annotations

import io
import shutil
import threading
import wave

import pytest
from PIL import Image

from cinefile.daemon.api import ProjectAPI
from cinefile.daemon.generate.assets import AssetStore
from cinefile.daemon.generate.keys import Keys
from cinefile.daemon.generate.providers import mock as mock_module
from cinefile.daemon.generate.providers.base import GenRequest, RunContext
from cinefile.daemon.generate.providers.mock import Mock
from cinefile.daemon.generate.writeback import clean_generated
from cinefile.format.edit import EditError, set_body
from cinefile.format.parse import parse_text


def run_mock(tmp_path, request: GenRequest) -> bytes | str:
    store = AssetStore(tmp_path)
    result = Mock().run(request, RunContext(store))
    if result.text is not None:
        return result.text
    return store.read(result.assets[0])


def request(kind: str, prompt: str = "A wide shot of the deck", **extra) -> GenRequest:
    return GenRequest(kind, "mock", prompt, extra.pop("params", {}), 7, title="Wide on the car deck", **extra)


def test_mock_text_reads_like_the_type_and_names_what_it_is_made_from(tmp_path):
    scene = request("text", block_type="scene", references=("Mara", "Ferry car deck"))
    text = run_mock(tmp_path, scene)
    assert text == run_mock(tmp_path, scene)  # deterministic
    # the heading comes from the scene's fields, so the text has none
    assert not text.startswith(("EXT", "INT")) and "MARA\n" in text and "Ferry car deck" in text


def test_mock_still_is_a_real_png_and_deterministic(tmp_path):
    data = run_mock(tmp_path, request("image"))
    assert data == run_mock(tmp_path / "again", request("image"))
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size == (640, 360)
    assert run_mock(tmp_path, request("image", "another prompt")) != data


def test_mock_video_without_ffmpeg_is_an_animated_gif(tmp_path, monkeypatch):
    monkeypatch.setattr(mock_module.shutil, "which", lambda name: None)
    data = run_mock(tmp_path, request("video"))
    assert data == run_mock(tmp_path / "again", request("video"))
    image = Image.open(io.BytesIO(data))
    assert image.format == "GIF" and image.is_animated and image.n_frames == mock_module.FRAMES


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed; the GIF fallback is tested above")
def test_mock_video_with_ffmpeg_is_an_mp4(tmp_path):
    data = run_mock(tmp_path, request("video"))
    assert data[4:8] == b"ftyp" and len(data) > 1000
    assert data == run_mock(tmp_path / "again", request("video"))


def test_mock_audio_is_a_wav_whose_length_follows_the_text(tmp_path, monkeypatch):
    monkeypatch.setattr(mock_module.shutil, "which", lambda name: None)  # the tone, whatever is installed

    def seconds(text: str) -> float:
        data = run_mock(tmp_path, request("audio", params={"text": text}))
        with wave.open(io.BytesIO(data)) as wav:
            return wav.getnframes() / wav.getframerate()

    short, long = seconds("Not tonight."), seconds(" ".join(["word"] * 20))
    assert short == 1.0 and long == pytest.approx(8.0)
    assert run_mock(tmp_path, request("audio", params={"text": "a b c"})) == run_mock(tmp_path, request("audio", params={"text": "a b c"}))


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed; the tone is tested above")
def test_mock_audio_speaks_with_espeak(tmp_path):
    def seconds(text: str) -> float:
        data = run_mock(tmp_path, request("audio", params={"text": text}))
        assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
        with wave.open(io.BytesIO(data)) as wav:
            return wav.getnframes() / wav.getframerate()

    assert seconds("Lift the ramp, love.") < seconds("Lift the ramp, love. " * 5)


def only_job(api: ProjectAPI, key: str, kind: str):
    """The planned job of one target, failing with the reason when it cannot be planned."""
    plan = api.plan_generation([(key, kind)], keys=Keys(), overwrite=True)
    assert not plan.errors, plan.errors[0].message
    return plan.jobs[0]


def test_the_api_in_mock_mode_links_everything_caches_and_cancels(sample, index_of):
    api = ProjectAPI(sample, index=index_of(sample))
    progress = []
    (outcome,) = api.generate([("shot-1a", "image")], keys=Keys(), on_progress=lambda job, stage: progress.append(stage)).outcomes
    assert outcome.status == "done" and outcome.job.provider == "mock" and progress == ["planned", "running"]
    (again,) = api.generate([("shot-1a", "image")], keys=Keys()).outcomes
    assert again.status == "cached" and again.assets == outcome.assets
    cancel = threading.Event()
    cancel.set()
    (cancelled,) = api.generate([("logline", "text")], keys=Keys(), cancel=cancel).outcomes
    assert cancelled.status == "cancelled"
    job = only_job(api, "scene-1", "text")
    assert job.estimate == 0 and job.model == "mock" and "The Ramp" in job.prompt and api.cost_text(job) == "mock, free"
    (failed,) = api.generate([("nope", "text")], keys=Keys()).outcomes
    assert failed.status == "failed" and "no block `nope`" in failed.message


def test_prompt_follows_dependencies_transitively(sample, index_of):
    job = only_job(ProjectAPI(sample, index=index_of(sample)), "shot-1b", "image")
    # shot-1b names only its parent; the scene above it brings Mara, her raincoat, the deck, the style.
    assert "A deckhand in her second season" in job.prompt and "sodium orange" in job.prompt


def test_project_template_overrides_the_built_in_one(sample, index_of):
    (sample.root / "prompts").mkdir()
    (sample.root / "prompts" / "scene.md").write_text("Scene $title for $project costs $$5.\nCast: $characters\n")
    api = ProjectAPI(sample, index=index_of(sample))
    job = only_job(api, "scene-1", "text")
    assert job.template == "prompts/scene.md"
    assert job.prompt.startswith("Scene The Ramp for Night Ferry costs $5.\nCast: Mara: # Mara\n\nA deckhand")
    (sample.root / "prompts" / "scene.md").write_text("Scene $titel\n")
    (error,) = api.plan_generation([("scene-1", "text")], keys=Keys()).errors
    assert error.message.startswith("prompts/scene.md: unknown variable $titel: use one of $project")
    (sample.root / "prompts" / "shot.image.md").write_text("Still of $title\n")
    assert only_job(api, "shot-1a", "image").prompt == "Still of Wide on the car deck\n"


def test_set_body_keeps_the_frontmatter_bytes():
    text = "---\r\ntype: scene   # keep me\r\ntitle: 'Odd'\r\n---\r\nold\r\n"
    new = set_body(text, "new\nlines\n")
    assert new == "---\r\ntype: scene   # keep me\r\ntitle: 'Odd'\r\n---\r\nnew\r\nlines\r\n"
    assert set_body("---\ntype: scene\n---", "body\n") == "---\ntype: scene\n---\nbody\n"
    with pytest.raises(EditError):
        set_body("no frontmatter", "x")


def test_cleaned_generated_text_never_breaks_the_file():
    nasty = "\ufeff---\ntitle: injected\n---\nLine one\n---\n\x00Line two\r\n-----\n"
    body = clean_generated(nasty)
    assert body == "Line one\n* * *\nLine two\n* * *\n"
    block = parse_text("s.md", set_body("---\ntype: scene\ntitle: Kept\nint_ext: INT\ntime_of_day: DAY\n---\n", body))
    assert block.problems == [] and block.title == "Kept" and block.body == body


def test_two_stills_of_a_block_have_embed_lines_told_apart(sample):
    """Each embed's label starts with its still's hash, as `cinefile show` lists them."""
    with ProjectAPI(sample) as api:
        api.sync()
        api.generate([("shot-1a", "image")], mock=True)
        path = sample.root / "shooting/shot-1a.md"
        path.write_text(path.read_text().replace("waving the last car in", "waving the last truck in"))
        api.sync()
        api.generate([("shot-1a", "image")], mock=True)
        stills = [a.sha256 for a in api.card("shot-1a").assets if a.role == "still"]
        body = api.card("shot-1a").body
    assert len(stills) == 2
    labels = [line.split("](")[0] for line in body.splitlines() if line.startswith("![Still")]
    assert labels == [f"![Still {sha[:12]}: Wide on the car deck" for sha in stills]
