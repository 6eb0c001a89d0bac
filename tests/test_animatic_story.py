"""The animatic tells the whole story: slate cards for scenes with no shots and shots with no
picture, burned-in shot numbers, stills letterboxed to the project's aspect ratio, and parts
encoded again only when their inputs change. Checked on real ffmpeg output, at a small frame
size so that each encode takes a moment."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from cinefile.daemon.exports import animatic, screen
from cinefile.daemon.exports.film import Film
from cinefile.daemon.exports.part_cache import CACHE_FOLDER
from cinefile.daemon.exports.slates import CARD_BACKGROUND
from cinefile.daemon.index.sync import sync
from conftest import block_text, write
from media_files import link_assets, png_bytes

pytestmark = pytest.mark.skipif(not shutil.which("ffmpeg"), reason="ffmpeg is not installed (.ci/debian-packages has it)")

W, H = 320, 180  # the frame; at 2.39:1 the picture is 320x134, with bars of 23 above and below
AREA_TOP, AREA_HEIGHT = 23, 134
RED = (220, 30, 30)
OLD_PLACEHOLDER = (0x20, 0x20, 0x20)  # the anonymous grey a shot without a still used to be


@pytest.fixture(autouse=True)
def small_frame(monkeypatch):
    monkeypatch.setattr(screen, "WIDTH", W)
    monkeypatch.setattr(screen, "HEIGHT", H)


@pytest.fixture
def story(empty):
    """Four scenes at 2.39:1: scene 1 has a shot with a square red still (1 s) and a shot with
    none (1 s); scene 2 has no shots and lasts 2 s; scene 3 has no shots and no duration; a
    shot of no scene comes last (1 s)."""
    root = empty.root
    (root / "cinefile.toml").write_text('name = "Tide"\n\n[film]\naspect_ratio = "2.39:1"\n', encoding="utf-8")
    write(root, "story/scene-1.md", block_text("scene", "Rain on the deck.", title="Deck", int_ext="EXT",
                                               location="Car deck", time_of_day="NIGHT"))
    write(root, "story/scene-2.md", block_text("scene", "The wheel.", title="Wheel", int_ext="INT",
                                               location="Wheelhouse", duration=2))
    write(root, "story/scene-3.md", block_text("scene", "Dawn.", title="Dawn"))
    write(root, "shooting/shot-1a.md", block_text("shot", "The ramp.", title="Ramp", parent="scene-1", duration=1))
    write(root, "shooting/shot-1b.md", block_text("shot", "Hands on the chain.", title="Chain", parent="scene-1",
                                                  size="close-up", duration=1))
    write(root, "shooting/stray.md", block_text("shot", "Gulls.", title="Gulls", duration=1))
    link_assets(empty, "shooting/shot-1a.md", (png_bytes(40, 40, RED), "png", "still", True))
    return empty


def frame_at(path, seconds: float) -> list[list[tuple[int, int, int]]]:
    """The picture at `seconds` as rows of RGB pixels."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-ss", str(seconds), "-i", str(path), "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    assert len(raw) == W * H * 3
    return [[tuple(raw[(y * W + x) * 3:(y * W + x) * 3 + 3]) for x in range(W)] for y in range(H)]


def near(pixel, colour, tolerance: int = 24) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour))


def duration_of(path) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return float(out)


def test_every_scene_is_on_the_timeline(story, index_of):
    index = index_of(story)
    sync(story, index)
    plan = animatic.timeline(Film.load(story, index))
    assert [(c.block_id, c.start, c.duration, c.picture is not None) for c in plan.clips] == [
        ("shot-1a", 0.0, 1.0, True), ("shot-1b", 1.0, 1.0, False), ("scene-2", 2.0, 2.0, False),
        ("scene-3", 4.0, animatic.DEFAULT_SCENE_SECONDS, False), ("stray", 9.0, 1.0, False)]
    cards = [c.card for c in plan.clips]
    assert cards[0] is None
    assert (cards[1].number, cards[1].lines) == ("1B", ("CLOSE-UP", "Hands on the chain."))
    assert cards[1].kicker == "SCENE 1: EXT. CAR DECK - NIGHT"
    assert (cards[2].number, cards[2].lines[:2]) == ("2", ("INT. WHEELHOUSE", "Wheel"))
    # Burned in: the number on the shot with a picture, and its scene's heading, as it opens the scene.
    assert plan.clips[0].caption.lines == ("SCENE 1: EXT. CAR DECK - NIGHT", "1A")
    assert animatic.timeline(Film.load(story, index), slates=False).clips[0].caption is None


def test_the_cut_runs_the_length_of_the_story_with_cards_and_letterbox(story, cli):
    result = cli("export", "-f", "animatic", cwd=story.root)
    assert result.exit_code == 0, result.output
    film = story.exports / "animatic.mp4"
    assert duration_of(film) == pytest.approx(10.0, abs=0.1)

    still = frame_at(film, 0.5)
    middle = H // 2
    assert all(near(pixel, (0, 0, 0), 12) for row in still[:AREA_TOP - 1] + still[AREA_TOP + AREA_HEIGHT + 1:]
               for pixel in row[W // 2 - 40:]), "the bars above and below the picture are black"
    red = [x for x in range(W) if near(still[middle][x], RED, 40)]
    # A square still stays square: as tall as the picture area, as wide as it is tall, centred.
    assert len(red) == pytest.approx(AREA_HEIGHT, abs=4)
    assert red[0] == pytest.approx((W - AREA_HEIGHT) / 2, abs=3)
    assert near(still[middle][W - 20], (0, 0, 0), 12)

    card = frame_at(film, 1.5)
    inside = [card[y][x] for y in range(AREA_TOP + 2, AREA_TOP + AREA_HEIGHT - 2) for x in range(W)]
    assert sum(near(p, CARD_BACKGROUND, 12) for p in inside) > len(inside) / 2, "a slate card, not grey"
    assert not any(near(p, OLD_PLACEHOLDER, 4) for p in inside)
    assert any(min(p) > 200 for p in inside), "with white text on it"
    assert near(card[2][W // 2], (0, 0, 0), 12)  # the card sits in the picture area too
    scene_card = frame_at(film, 3.0)
    assert sum(near(scene_card[y][x], CARD_BACKGROUND, 12) for y in range(AREA_TOP + 2, AREA_TOP + AREA_HEIGHT - 2)
               for x in range(W)) > len(inside) / 2


def _caption_corner(film) -> list[tuple[int, int, int]]:
    """The bottom left of the picture area during the red still, where the caption goes."""
    frame = frame_at(film, 0.5)
    left_of_the_still = range((W - AREA_HEIGHT) // 2 - 4)
    return [frame[y][x] for y in range(AREA_TOP + AREA_HEIGHT // 2, AREA_TOP + AREA_HEIGHT) for x in left_of_the_still]


def test_slates_burn_in_the_shot_number_and_no_slates_leaves_the_picture_clean(story, cli):
    assert cli("export", "-f", "animatic", cwd=story.root).exit_code == 0
    assert any(min(p) > 200 for p in _caption_corner(story.exports / "animatic.mp4"))
    result = cli("export", "-f", "animatic", "--no-slates", cwd=story.root)
    assert result.exit_code == 0 and result.output == "wrote exports/animatic.mp4\n"
    assert all(near(p, (0, 0, 0), 12) for p in _caption_corner(story.exports / "animatic.mp4"))
    # The cards stand in for pictures: they stay without slates.
    assert near(frame_at(story.exports / "animatic.mp4", 3.0)[AREA_TOP + AREA_HEIGHT - 4][W - 4], CARD_BACKGROUND, 12)


def test_a_second_export_encodes_only_the_parts_that_changed(story, cli, monkeypatch):
    encoded = []
    encode = animatic.encode_part

    def counting(ffmpeg, part, *rest):
        encoded.append([clip.block_id for clip in part.clips])
        return encode(ffmpeg, part, *rest)

    def export() -> str:
        encoded.clear()
        result = cli("export", "-f", "animatic", cwd=story.root)
        assert result.exit_code == 0, result.output
        return result.output

    monkeypatch.setattr(animatic, "encode_part", counting)
    monkeypatch.setattr(animatic, "CLIPS_PER_PART", 2)
    cache = story.exports / CACHE_FOLDER
    export()
    assert encoded == [["shot-1a", "shot-1b"], ["scene-2"], ["scene-3"], ["stray"]]  # cut at every scene
    assert (export(), encoded) == ("unchanged exports/animatic.mp4\n", [])

    shot = story.root / "shooting/stray.md"
    shot.write_text(shot.read_text().replace("Gulls.", "Gulls over the wake."), encoding="utf-8")
    assert (export(), encoded) == ("wrote exports/animatic.mp4\n", [["stray"]])
    assert len(list(cache.iterdir())) == 4 * 2, "the part no longer used is gone"

    # A shot added to scene 2: its card gives way to the shot, and no other scene is encoded again.
    write(story.root, "shooting/shot-2a.md", block_text("shot", "The wheel.", title="Wheel", parent="scene-2", duration=2))
    assert (export(), encoded) == ("wrote exports/animatic.mp4\n", [["shot-2a"]])
    incremental = (story.exports / "animatic.mp4").read_bytes()

    shutil.rmtree(cache)
    assert export() == "unchanged exports/animatic.mp4\n", "from scratch: the same bytes as the incremental export"
    assert len(encoded) == 4
    assert (story.exports / "animatic.mp4").read_bytes() == incremental


def test_all_formats_of_a_project_with_no_shots_succeed_and_say_why_there_is_no_animatic(empty, cli):
    from cinefile.daemon.exports import FORMATS

    write(empty.root, "story/scene-1.md", block_text("scene", "Rain.", title="Deck"))
    result = cli("export", "-f", "all", cwd=empty.root)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:-1] == [f"wrote exports/{file}" for name, fmt in FORMATS.items() if name != "animatic"
                          for file in fmt.files]
    assert lines[-1] == ("cinefile: animatic: the project has no shots: add shot blocks (type: shot) "
                         "with a `duration`")
    assert not (empty.exports / "animatic.mp4").exists()
    assert cli("export", "-f", "all", cwd=empty.root).output.splitlines()[0].startswith("unchanged ")


@pytest.mark.parametrize("value", ['"wide"', '"2.39:0"', "23.9", "true"])
def test_a_wrong_aspect_ratio_is_one_line(empty, cli, value):
    (empty.root / "cinefile.toml").write_text(f'name = "Tide"\n[film]\naspect_ratio = {value}\n', encoding="utf-8")
    write(empty.root, "shooting/shot-1.md", block_text("shot", "Gulls.", title="Gulls", duration=1))
    result = cli("export", "-f", "animatic", cwd=empty.root)
    assert result.exit_code == 2
    assert result.output.startswith(f"cinefile: cinefile.toml: [film] aspect_ratio = {value} is not a picture shape")
    assert result.output.count("\n") == 1


def test_aspect_ratios_and_picture_areas():
    assert [screen.parse_ratio(v) for v in ("2.39:1", "16:9", "4/3", "1.85", 2.0, "1:0", "abc", "10:1")] == [
        2.39, 16 / 9, 4 / 3, 1.85, 2.0, None, None, None]
    assert screen.screen_for(2.39, 1280, 720) == screen.Screen(1280, 720, 1280, 536)
    assert screen.screen_for(16 / 9, 1280, 720) == screen.Screen(1280, 720, 1280, 720)
    assert screen.screen_for(4 / 3, 1280, 720) == screen.Screen(1280, 720, 960, 720)
