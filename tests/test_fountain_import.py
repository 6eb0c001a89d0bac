"""`cinefile import`: a real-world style screenplay becomes blocks, and exports back to the
same scenes, characters and dialogue (both files read by screenplain)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from cinefile.daemon.api.scaffold import init_project
from screenplain.parsers.fountain import parse
from screenplain.types import Dialog, DualDialog, Slug, Transition

SCREENPLAY = Path(__file__).parent / "screenplays" / "the-keeper.fountain"
CUE_EXTENSION = re.compile(r"\s*\(.*?\)\s*")


def read(path: Path):
    return parse(io.StringIO(path.read_text(encoding="utf-8")))


def speeches(play) -> list[tuple[str, tuple[str, ...], bool]]:
    """(character without extensions, lines, part of dual dialogue) for every speech."""
    found = []
    for paragraph in play.paragraphs:
        pairs = [(paragraph.left, True), (paragraph.right, True)] if isinstance(paragraph, DualDialog) else \
            [(paragraph, False)] if isinstance(paragraph, Dialog) else []
        for dialog, dual in pairs:
            name = CUE_EXTENSION.sub("", str(dialog.character)).replace("^", "").strip()
            found.append((name, tuple(str(text) for _, text in dialog.blocks), dual))
    return found


def headings(play) -> list[str]:
    return [str(p.line) for p in play.paragraphs if isinstance(p, Slug)]


@pytest.fixture
def keeper(tmp_path, cli):
    project = init_project(tmp_path / "keeper", name="The Keeper")
    result = cli("import", str(SCREENPLAY), cwd=project.root)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == \
        "imported the-keeper.fountain: 2 acts, 3 beats, 6 scenes, 2 characters, 5 locations; title page added to cinefile.toml"
    return project


def test_round_trip_keeps_scenes_characters_and_dialogue(keeper, cli):
    result = cli("export", "--format", "fountain", cwd=keeper.root)
    assert result.exit_code == 0, result.output
    original, exported = read(SCREENPLAY), read(keeper.exports / "screenplay.fountain")
    assert len(headings(original)) == 6
    assert headings(exported) == headings(original)
    assert speeches(exported) == speeches(original)
    assert any(dual for _, _, dual in speeches(exported))  # the dual dialogue is still dual
    transitions = lambda play: [str(p.line) for p in play.paragraphs if isinstance(p, Transition)]
    assert transitions(exported) == transitions(original) == ["CUT TO:", "SMASH CUT TO:", "BURN TO WHITE."]
    text = (keeper.exports / "screenplay.fountain").read_text()
    assert "[[Keep this dry. She likes him already and will never say so.]]" in text  # notes kept
    assert "/*\nJONAS\nIs there internet?" in text  # and the boneyard


def test_import_makes_blocks_with_dependencies(keeper, cli, index_of):
    index = index_of(keeper)
    blocks = {row["key"]: row for row in index.blocks()}
    types = {key: row["type"] for key, row in blocks.items()}
    assert [k for k, t in types.items() if t == "character"] == ["berit", "jonas"]
    assert sorted(k for k, t in types.items() if t == "location") == [
        "cliff-path", "lamp-room", "lighthouse-jetty", "lighthouse-kitchen", "the-fog-horn-house"]
    assert blocks["lighthouse-kitchen"]["title"] == "Lighthouse - Kitchen"
    scene = blocks["scene-4"]
    refs = [(r[0], r[2]) for r in json.loads(scene["refs"]) if r[1] == "dependency"]
    assert refs == [("cliff-path", "set_in"), ("berit", "appears_in"), ("jonas", "appears_in")]
    assert scene["parent_key"] == "beat-2"
    assert blocks["beat-2"]["title"] == "The first night" and blocks["beat-2"]["parent_key"] == "act-1"
    assert blocks["beat-2"]["content"].strip() == "Jonas fails the first log."
    frontmatter = json.loads(scene["frontmatter"])
    assert (frontmatter["int_ext"], frontmatter["time_of_day"]) == ("EXT", "NIGHT")
    assert json.loads(blocks["scene-5"]["frontmatter"]).get("int_ext") is None  # `.THE FOG HORN HOUSE`
    status = json.loads(cli("status", "--json", cwd=keeper.root).output)
    # Only the forced heading's scene lacks INT./EXT. and a time of day, and is told so.
    assert status["errors"] == 0
    assert {(p["path"].rsplit("/", 1)[-1], p["code"]) for p in status["problems"]} == {("scene-5.md", "missing-field")}


def test_importing_again_reuses_characters_and_changes_no_file(keeper, cli):
    before = {p: p.read_bytes() for p in keeper.root.rglob("*.md")}
    config = (keeper.root / "cinefile.toml").read_bytes()
    result = cli("import", str(SCREENPLAY), cwd=keeper.root)
    assert result.exit_code == 0, result.output
    # The same screenplay again updates the project in place: nothing new, nothing changed.
    assert result.output.splitlines()[-1].endswith(
        "0 characters, 0 locations; reused 7 existing: lighthouse-jetty, berit, jonas, lighthouse-kitchen, "
        "lamp-room, cliff-path, the-fog-horn-house; title page not imported: cinefile.toml has a [title_page] table "
        "already; 0 updated; 11 unchanged")
    assert "created" not in result.output
    assert all(path.read_bytes() == data for path, data in before.items())
    assert (keeper.root / "cinefile.toml").read_bytes() == config


def test_the_title_page_goes_into_cinefile_toml_and_exports_as_it_was(keeper, cli):
    """Below the config's own text, untouched, a [title_page] table; the Fountain export
    then writes the screenplay's title page back line for line."""
    import tomllib

    from cinefile.format.config import config_text

    text = (keeper.root / "cinefile.toml").read_text()
    assert text.startswith(config_text("The Keeper"))
    assert tomllib.loads(text)["title_page"] == {
        "title": "The Keeper", "credit": "written by", "author": "Ada Lindqvist", "source": "from a story told on Utsira",
        "draft_date": "second draft", "contact": ["Ada Lindqvist", "ada@example.org"]}
    assert cli("export", "--format", "fountain", cwd=keeper.root).exit_code == 0
    page = lambda path: path.read_text().split("\n\n", 1)[0]
    assert page(keeper.exports / "screenplay.fountain") == page(SCREENPLAY)


def test_scene_numbers_survive_the_round_trip(tmp_path, cli):
    script = tmp_path / "numbered.fountain"
    script.write_text("Title: Numbered\n\nINT. HALL - DAY #12#\n\nANNA\nHello.\n\n"
                      "EXT. YARD - NIGHT #12A#\n\nBOB\nBye.\n", encoding="utf-8")
    project = init_project(tmp_path / "numbered")
    assert cli("import", str(script), cwd=project.root).exit_code == 0
    assert cli("export", "-f", "fountain", cwd=project.root).exit_code == 0
    play = read(project.exports / "screenplay.fountain")
    assert [(str(p.line), str(p.scene_number)) for p in play.paragraphs if isinstance(p, Slug)] == [
        ("INT. HALL - DAY", "12"), ("EXT. YARD - NIGHT", "12A")]


def test_dry_run_writes_nothing(tmp_path, cli):
    project = init_project(tmp_path / "dry")
    result = cli("import", "--dry-run", str(SCREENPLAY), cwd=project.root)
    assert result.exit_code == 0, result.output
    assert "would create story/scene-6.md" in result.output
    assert result.output.splitlines()[-1].endswith("; title page would be added to cinefile.toml")
    assert not list(project.root.rglob("*.md"))
    assert "title_page" not in (project.root / "cinefile.toml").read_text()


@pytest.mark.parametrize("content, message", [
    (None, "no such file: give the path of a .fountain screenplay"),
    ("folder", "is a folder: give the path of a .fountain screenplay"),
    (b"\xff\xfe not text", "not UTF-8 text: save the screenplay as UTF-8 and import it again"),
    (b"GIF89a\x01\x00\x01\x00\x00\x00", "a binary file, not a screenplay"),
    ("huge", "too big for a screenplay (at most 10 MB)"),
    (b"Just some notes.\n\nNo headings here.\n", "no scene headings found"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, cli, content, message):
    project = init_project(tmp_path / "bad")
    script = tmp_path / "script.fountain"
    if content == "folder":
        script.mkdir()
    elif content == "huge":
        with open(script, "wb") as handle:
            handle.truncate(20 * 2**20)  # sparse: no 20 MB written
    elif content is not None:
        script.write_bytes(content)
    result = cli("import", str(script), cwd=project.root)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "script.fountain" in lines[0]


def test_import_into_a_project_reuses_its_characters_and_locations_by_id_or_title(sample, cli):
    assert cli("export", "-f", "fountain", cwd=sample.root).exit_code == 0
    result = cli("import", str(sample.exports / "screenplay.fountain"), cwd=sample.root)
    assert result.exit_code == 0, result.output
    # Its own scenes are matched (no duplicates); CAPTAIN ILSE and MARA are found by id, FERRY CAR
    # DECK and WHEELHOUSE by title. The hand-made blocks only gain their place (`order`).
    assert result.output.splitlines()[-1] == ("imported screenplay.fountain: 0 acts, 0 beats, 0 scenes, 0 characters, "
                                              "0 locations; reused 4 existing: ferry-deck, captain-ilse, wheelhouse, mara; "
                                              "title page added to cinefile.toml; 5 updated; 0 unchanged")
    assert "created" not in result.output and "updated story/scene-1.md (order)" in result.output


def test_title_page_keys_the_export_cannot_write_back_are_named(tmp_path, cli):
    import tomllib

    script = tmp_path / "odd.fountain"
    script.write_text("Title: Odd Keys\nAuthors: Two People\nRevision: blue\n\nINT. HALL - DAY\n\nANNA\nHello.\n",
                      encoding="utf-8")
    project = init_project(tmp_path / "odd")
    result = cli("import", str(script), cwd=project.root)
    assert result.output.splitlines()[-1].endswith("; title page added to cinefile.toml (not kept: revision)")
    table = tomllib.loads((project.root / "cinefile.toml").read_text())["title_page"]
    assert table == {"title": "Odd Keys", "author": "Two People"}
