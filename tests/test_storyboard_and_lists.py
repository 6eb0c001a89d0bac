"""The storyboard (parsed, and rendered in headless Chromium when it is installed), and the
shot list's status and still columns, on the sample film with real still files."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from media_files import link_assets, png_bytes

RED, BLUE, GREEN = (200, 30, 30), (20, 40, 210), (30, 160, 60)


class Storyboard(HTMLParser):
    """The shots of a storyboard page: id, classes, image source and text, in page order."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.shots: list[dict] = []
        self.scenes: list[str] = []
        self.open_tags: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "article":
            self.shots.append({"id": attrs["id"], "classes": attrs["class"].split(), "img": None, "text": "",
                               "duration": attrs["data-duration"]})
        elif tag == "section":
            self.scenes.append(attrs["id"])
        elif tag == "img" and self.shots:
            self.shots[-1]["img"] = attrs["src"]
        if tag not in ("img", "meta"):
            self.open_tags.append(tag)

    def handle_endtag(self, tag):
        assert self.open_tags.pop() == tag, f"</{tag}> closes something else"

    def handle_data(self, data):
        if self.shots and "article" in self.open_tags:
            self.shots[-1]["text"] += data


@pytest.fixture
def with_stills(sample):
    """shot-1a: an approved red still; shot-1b: an unapproved blue one; shot-2a: none on disk."""
    link_assets(sample, "shooting/shot-1a.md", (png_bytes(64, 36, RED), "png", "still", True))
    link_assets(sample, "shooting/shot-1b.md", (png_bytes(64, 36, BLUE), "png", "still", False))
    link_assets(sample, "shooting/shot-2a.md", (png_bytes(64, 36, GREEN), "png", "still", True))
    for path in sample.assets.glob("*.png"):
        if path.read_bytes() == png_bytes(64, 36, GREEN):
            path.unlink()
    return sample


def export(project, cli, *args: str) -> None:
    result = cli("export", *args, cwd=project.root)
    assert result.exit_code == 0, result.output


def test_storyboard_lists_shots_in_order_with_linked_stills_and_stale_marks(with_stills, cli):
    export(with_stills, cli, "-f", "storyboard")
    page = Storyboard((with_stills.exports / "storyboard.html").read_text(encoding="utf-8"))
    assert page.open_tags == []  # every element closed
    assert page.scenes == ["scene-1", "scene-2"]
    assert [s["id"] for s in page.shots] == ["shot-1a", "shot-1b", "shot-2a"]
    assert [s["duration"] for s in page.shots] == ["4", "3", "5"]
    for shot in page.shots[:2]:
        assert shot["img"].startswith("../assets/") and (with_stills.exports / shot["img"]).is_file()
    assert page.shots[2]["img"] is None and "no still yet" in page.shots[2]["text"]
    assert ["stale" in s["classes"] for s in page.shots] == [True, True, False]
    assert "stale: mara-raincoat changed" in page.shots[1]["text"]
    assert "still not approved" in page.shots[1]["text"] and "still not approved" not in page.shots[0]["text"]


def test_storyboard_can_embed_its_stills(with_stills, cli):
    export(with_stills, cli, "-f", "storyboard", "--embed-stills")
    page = Storyboard((with_stills.exports / "storyboard.html").read_text(encoding="utf-8"))
    assert [s["img"][:22] if s["img"] else None for s in page.shots] == ["data:image/png;base64,"] * 2 + [None]


@pytest.mark.skipif(not shutil.which("chromium") or not shutil.which("ffmpeg"), reason="needs chromium and ffmpeg")
def test_storyboard_renders_its_stills_in_chromium(with_stills, cli, tmp_path):
    export(with_stills, cli, "-f", "storyboard")
    shot = tmp_path / "page.png"
    subprocess.run(["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={shot}", "--window-size=1200,900",
                    (with_stills.exports / "storyboard.html").as_uri()], capture_output=True, timeout=120, check=True)
    pixels = subprocess.run(["ffmpeg", "-v", "error", "-i", str(shot), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                            capture_output=True, check=True).stdout
    counts = {color: sum(1 for i in range(0, len(pixels), 3) if pixels[i:i + 3] == bytes(color)) for color in (RED, BLUE)}
    # Both linked stills are drawn at card size (about 270 x 150 px), not missing or tiny.
    assert counts[RED] > 20000 and counts[BLUE] > 20000, counts


def test_shotlist_gives_status_and_the_still_file(with_stills, cli):
    export(with_stills, cli, "-f", "shotlist")
    rows = list(csv.DictReader(io.StringIO((with_stills.exports / "shotlist.csv").read_text(encoding="utf-8"))))
    assert [(r["shot"], r["status"]) for r in rows] == [("1A", "stale"), ("1B", "stale"), ("2A", "unreviewed")]
    assert rows[0]["still"].startswith("assets/") and rows[0]["still"].endswith(".png")
    assert (with_stills.root / rows[0]["still"]).read_bytes() == png_bytes(64, 36, RED)
    assert rows[1]["still"] and rows[2]["still"] == ""  # unapproved but present; missing on disk
    assert (rows[2]["characters"], rows[2]["props"], rows[2]["location"]) == ("Captain Ilse", "Brass compass", "Wheelhouse")


def test_embeds_of_generated_media_stay_out_of_descriptions_and_the_screenplay(sample, cli, monkeypatch):
    """A generated still and dialogue audio are embedded in their blocks' bodies for Markdown
    previews; the storyboard, the shot list and the screenplay show the film, not those links."""
    for name in ("OPENROUTER_API_KEY", "REPLICATE_API_KEY", "REPLICATE_API_TOKEN",
                 "COPILOT_OPENROUTER_API_KEY", "COPILOT_REPLICATE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert cli("generate", "shot-1a", "--kind", "image", "--mock", cwd=sample.root).exit_code == 0
    assert cli("generate", "scene-1", "--kind", "audio", "--mock", cwd=sample.root).exit_code == 0
    assert "assets/" in (sample.root / "shooting/shot-1a.md").read_text()
    assert "assets/" in (sample.root / "story/scene-1.md").read_text()
    export(sample, cli, "-f", "storyboard", "-f", "shotlist", "-f", "fountain")
    board = Storyboard((sample.exports / "storyboard.html").read_text())
    shot = next(s for s in board.shots if "shot-1a" in s["id"])
    assert "assets/" not in shot["text"] and "Mara small at the bottom of the ramp" in shot["text"]
    rows = list(csv.DictReader(io.StringIO((sample.exports / "shotlist.csv").read_text())))
    assert all("assets/" not in row["description"] for row in rows)
    screenplay = (sample.exports / "screenplay.fountain").read_text()
    assert "assets/" not in screenplay and "Lift the ramp, love." in screenplay
