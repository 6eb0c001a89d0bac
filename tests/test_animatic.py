"""The animatic: a real ffmpeg run over real stills and sounds, checked with ffprobe."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from cinefile.daemon.exports.animatic import timeline
from cinefile.daemon.exports.film import Film
from cinefile.daemon.index.sync import sync
from media_files import link_assets, png_bytes, wav_bytes
from terminal import run_on_terminal

pytestmark = pytest.mark.skipif(not shutil.which("ffmpeg"), reason="ffmpeg is not installed (.ci/debian-packages has it)")


def probe(path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries",
                          "format=duration:stream=codec_type,codec_name,width,height,duration",
                          "-of", "json", str(path)], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


@pytest.fixture
def with_media(sample):
    """Approved stills on 1a and 2a, an approved video on 1b (the sample's shots last 4, 3 and 5 s),
    an approved ambience under scene 1, a line of dialogue under shot 2a, and an unapproved still."""
    video = sample.root / "clip.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=24", "-t", "1.5",
                    "-pix_fmt", "yuv420p", str(video)], check=True)
    link_assets(sample, "shooting/shot-1a.md", (png_bytes(64, 36, (200, 30, 30)), "png", "still", True),
                (png_bytes(64, 36, (0, 0, 255)), "png", "still", False))
    link_assets(sample, "shooting/shot-1b.md", (video.read_bytes(), "mp4", "video", True))
    link_assets(sample, "shooting/shot-2a.md", (png_bytes(48, 48, (30, 160, 60)), "png", "still", True),
                (wav_bytes(1.0, 330.0), "wav", "audio", True))
    link_assets(sample, "story/scene-1.md", (wav_bytes(2.0, 220.0), "wav", "audio", True))
    video.unlink()
    return sample


def test_animatic_follows_the_shots_with_their_durations_and_audio(with_media, cli, index_of):
    index = index_of(with_media)
    sync(with_media, index)
    plan = timeline(Film.load(with_media, index))
    assert [(c.block_id, c.start, c.duration, c.is_video, c.picture.suffix) for c in plan.clips] == [
        ("shot-1a", 0.0, 4.0, False, ".png"), ("shot-1b", 4.0, 3.0, True, ".mp4"), ("shot-2a", 7.0, 5.0, False, ".png")]
    assert [(s.start, s.duration) for s in plan.sounds] == [(0.0, 7.0), (7.0, 5.0)]  # scene 1's, then shot 2a's

    result = cli("export", "--format", "animatic", cwd=with_media.root)
    assert result.exit_code == 0, result.output
    assert result.output == "wrote exports/animatic.mp4\n"
    info = probe(with_media.exports / "animatic.mp4")
    assert float(info["format"]["duration"]) == pytest.approx(12.0, abs=0.1)
    streams = sorted((s["codec_type"], s["codec_name"]) for s in info["streams"])
    assert streams == [("audio", "aac"), ("video", "h264")]
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == (1280, 720)
    assert float(video["duration"]) == pytest.approx(12.0, abs=0.1)


def test_animatic_is_the_same_bytes_every_time(with_media, cli):
    assert cli("export", "-f", "animatic", cwd=with_media.root).exit_code == 0
    first = (with_media.exports / "animatic.mp4").read_bytes()
    (with_media.exports / "animatic.mp4").unlink()
    assert cli("export", "-f", "animatic", cwd=with_media.root).exit_code == 0
    assert (with_media.exports / "animatic.mp4").read_bytes() == first


def test_shots_without_pictures_are_held_on_their_cards(sample, cli):
    result = cli("export", "-f", "animatic", cwd=sample.root)
    assert result.exit_code == 0, result.output
    assert float(probe(sample.exports / "animatic.mp4")["format"]["duration"]) == pytest.approx(12.0, abs=0.1)


def test_broken_asset_is_one_line(sample, cli):
    link_assets(sample, "shooting/shot-1a.md", (b"not a picture at all", "png", "still", True))
    result = cli("export", "-f", "animatic", cwd=sample.root)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cinefile: animatic: assets/")
    assert lines[0].endswith(".png (approved for shot-1a) is not an image or video ffmpeg can read: "
                             "replace the file or unapprove it in the block's `assets`")
    assert not (sample.exports / "animatic.mp4").exists()


def test_encoding_shows_a_bar_on_a_terminal(sample):
    code, stdout, drawn = run_on_terminal(["export", "-f", "animatic"], sample.root)
    assert code == 0
    assert stdout == b"wrote exports/animatic.mp4\n"
    assert b"Encoding the animatic" in drawn


def _decoded(path, stream: str) -> bytes:
    """The stream decoded to raw samples or pixels."""
    kind = ["-f", "s16le", "-ac", "2", "-ar", "48000"] if stream == "a" else ["-f", "rawvideo", "-pix_fmt", "gray", "-s", "64x36"]
    return subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-map", f"0:{stream}:0", *kind, "-"],
                          capture_output=True, check=True).stdout


def test_a_film_cut_in_parts_sounds_and_looks_as_in_one(with_media, cli, monkeypatch):
    """One shot a part: scene 1's ambience crosses a cut, yet the sound is the same samples as
    an animatic made in one part, the picture the same frames, the length the same."""
    from cinefile.daemon.exports import animatic

    assert cli("export", "-f", "animatic", cwd=with_media.root).exit_code == 0
    whole = with_media.exports / "whole.mp4"
    (with_media.exports / "animatic.mp4").rename(whole)
    monkeypatch.setattr(animatic, "CLIPS_PER_PART", 1)
    assert cli("export", "-f", "animatic", cwd=with_media.root).exit_code == 0
    cut = with_media.exports / "animatic.mp4"
    assert float(probe(cut)["format"]["duration"]) == pytest.approx(12.0, abs=0.1)
    assert _decoded(cut, "a") == _decoded(whole, "a")
    frames_whole, frames_cut = _decoded(whole, "v"), _decoded(cut, "v")
    assert len(frames_cut) == len(frames_whole) == 12 * 24 * 64 * 36
    # Same frames but for the encoder's rounding: compare each frame's mean brightness.
    size = 64 * 36
    means = [(sum(frames_whole[i:i + size]) / size, sum(frames_cut[i:i + size]) / size)
             for i in range(0, len(frames_whole), size)]
    assert all(abs(a - b) < 4 for a, b in means)


def test_parts_split_the_sounds_that_cross_a_cut(with_media, index_of):
    from cinefile.daemon.exports.animatic import parts

    index = index_of(with_media)
    sync(with_media, index)
    plan = timeline(Film.load(with_media, index))
    cut = parts(plan, size=1)
    assert [[(c.block_id, c.start, c.duration) for c in part.clips] for part in cut] == [
        [("shot-1a", 0.0, 4.0)], [("shot-1b", 0.0, 3.0)], [("shot-2a", 0.0, 5.0)]]
    # Scene 1's ambience (0-7 s) is heard in the first two parts, from where each cut falls.
    assert [[(s.start, s.duration, s.offset) for s in part.sounds] for part in cut] == [
        [(0.0, 4.0, 0.0)], [(0.0, 3.0, 4.0)], [(0.0, 5.0, 0.0)]]


def test_shot_lengths_fall_on_whole_frames():
    from cinefile.daemon.exports.animatic import FPS, on_frames

    assert on_frames(4) == 4.0 and on_frames(2.5) == 2.5
    assert on_frames(3.33) * FPS == 80 and on_frames(0.001) == 1 / FPS
    # 100 shots of 3.33 s: picture and sound both last 8,000 frames, not 333 s against 333.3.
    assert sum(on_frames(3.33) for _ in range(100)) * FPS == pytest.approx(8000)
