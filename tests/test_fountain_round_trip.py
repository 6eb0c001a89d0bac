"""Fountain in, Fountain out: a screenplay imported and exported again reads the same, to
cinefile's own reader and to an independent one (screenplain), down to where each synopsis,
section and opening line stood and how each heading was typed."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from cinefile.daemon.api.scaffold import init_project
from cinefile.daemon.exports.fountain_import import display_name
from cinefile.daemon.exports.fountain_parse import Scene, Section, Synopsis, parse_fountain, parse_heading
from cinefile.daemon.index.db import problems_of
from screenplain.parsers.fountain import parse
from screenplain.types import Action, Dialog, DualDialog, PageBreak, Slug, Transition
from screenplain.types import Section as PlainSection

SCREENPLAYS = Path(__file__).parent / "screenplays"
EVERY_ELEMENT = SCREENPLAYS / "harbour-lights.fountain"


def import_and_export(tmp_path: Path, cli, text: str | bytes, name: str = "film"):
    """(project, exported text) of a screenplay imported into a new project."""
    project = init_project(tmp_path / name, name="Harbour Lights")
    script = tmp_path / f"{name}.fountain"
    script.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    result = cli("import", str(script), cwd=project.root)
    assert result.exit_code == 0, result.output
    result = cli("export", "-f", "fountain", cwd=project.root)
    assert result.exit_code == 0, result.output
    return project, (project.exports / "screenplay.fountain").read_text(encoding="utf-8")


def plain(text: str) -> list[tuple]:
    """screenplain's reading of a screenplay: its title page, then each paragraph as a tuple."""
    play = parse(io.StringIO(text))

    def dialog(d: Dialog) -> tuple:
        return (str(d.character), *((parenthetical, str(line)) for parenthetical, line in d.blocks))

    paragraphs = []
    for p in play.paragraphs:
        if isinstance(p, Slug):
            paragraphs.append(("slug", str(p.line), str(p.scene_number or ""), p.synopsis))
        elif isinstance(p, PlainSection):
            paragraphs.append(("section", p.level, str(p.text), p.synopsis))
        elif isinstance(p, DualDialog):
            paragraphs.append(("dual", dialog(p.left), dialog(p.right)))
        elif isinstance(p, Dialog):
            paragraphs.append(("dialog", *dialog(p)))
        elif isinstance(p, Action):
            paragraphs.append(("action", p.centered, *map(str, p.lines)))
        elif isinstance(p, Transition):
            paragraphs.append(("transition", str(p.line)))
        else:
            paragraphs.append((type(p).__name__,))
    return [("title page", play.title_page), *paragraphs]


def outline(text: str) -> list:
    """cinefile's reading: the title page, then every section, synopsis and scene."""
    play = parse_fountain(text)
    return [play.title_page, *play.items]


@pytest.fixture(scope="module")
def harbour(tmp_path_factory):
    """The screenplay with every element, imported and exported once for the tests that read it."""
    from cinefile.daemon.api import ProjectAPI

    project = init_project(tmp_path_factory.mktemp("harbour") / "film", name="Harbour Lights")
    with ProjectAPI.open(project.root) as api:
        api.import_fountain(EVERY_ELEMENT)
        api.export(["fountain"])
    return project, (project.exports / "screenplay.fountain").read_text(encoding="utf-8")


def test_every_fountain_element_reads_the_same_after_import_and_export(harbour):
    original = EVERY_ELEMENT.read_text(encoding="utf-8")
    _, exported = harbour
    assert outline(exported) == outline(original)
    assert plain(exported) == plain(original)
    kinds = {paragraph[0] for paragraph in plain(original)}
    assert kinds == {"title page", "slug", "section", "dual", "dialog", "action", "transition", "PageBreak"}
    assert exported == original  # nothing a reader would see differently, and nothing else either


def test_crlf_screenplay_imports_as_the_same_film(tmp_path, cli):
    original = EVERY_ELEMENT.read_text(encoding="utf-8")
    _, exported = import_and_export(tmp_path, cli, original.replace("\n", "\r\n"), "crlf")
    assert outline(exported) == outline(original)
    assert exported == original


def test_sections_keep_their_depth_and_synopses_where_they_stood(harbour, index_of):
    project, _ = harbour
    blocks = {row["key"]: (row, json.loads(row["frontmatter"])) for row in index_of(project).blocks()}

    def fields(key: str, *names: str) -> tuple:
        row, front = blocks[key]
        return (row["type"], row["title"], row["parent_key"], *(front.get(name) for name in names))

    assert fields("act-1", "section") == ("act", "ACT ONE", None, None)
    assert fields("beat-1", "section", "placement") == ("beat", "Ada comes home to the harbour.", "act-1", None, None)
    assert fields("beat-2", "section") == ("beat", "The arrival", "act-1", 2)
    assert blocks["beat-2"][0]["content"].strip() == "She sees that the old light is out."  # its synopsis
    assert fields("beat-3", "section") == ("beat", "The quay", "beat-2", 3)  # a `###` under its `##`
    assert fields("beat-4", "placement") == ("beat", "Ada walks where she walked as a child.", "beat-3", "under_heading")
    assert fields("beat-5", "placement") == ("beat", "The light must be lit again.", "beat-3", "in_place")
    assert fields("scene-1")[2] == "beat-4" and fields("scene-4")[2] == "act-2"


def test_a_deeper_section_belongs_to_the_section_above_it(tmp_path, cli, index_of):
    text = "# ONE\n\n## Sequence\n\n### Moment\n\nINT. HALL - DAY\n\nDust.\n\n## Another\n\nEXT. YARD - DAY\n\nSun.\n"
    project, exported = import_and_export(tmp_path, cli, text)
    parents = {row["key"]: row["parent_key"] for row in index_of(project).blocks()}
    assert (parents["beat-1"], parents["beat-2"], parents["scene-1"], parents["beat-3"]) == ("act-1", "beat-1", "beat-2", "act-1")
    assert exported.split("\n\n", 1)[1] == text


def test_text_above_the_first_heading_stays_above_it(tmp_path, cli, index_of):
    text = ("Title: Prologue\n\nFADE IN:\n\n===\n\nNARRATOR (V.O.)\nIt began with a light.\n\n"
            "EXT. QUAY - NIGHT\n\nRain.\n")
    project, exported = import_and_export(tmp_path, cli, text)
    scene = index_of(project).block("scene-1")
    assert json.loads(scene["frontmatter"])["lead_in"] == "FADE IN:\n\n===\n\nNARRATOR (V.O.)\nIt began with a light."
    assert scene["content"].strip() == "Rain."
    assert exported == text
    assert plain(exported)[1:4] == [("action", False, "FADE IN:"), ("PageBreak",),
                                    ("dialog", "NARRATOR (V.O.)", (False, "It began with a light."))]


def test_headings_are_written_back_as_typed_until_their_fields_change(tmp_path, cli, index_of):
    from cinefile.format.edit import set_field

    text = ("INT LIGHTHOUSE -- NIGHT\n\nA lamp.\n\nEXT/INT. CAR - DAY\n\nStill the lighthouse.\n\n"
            "INT.  HARBOUR OFFICE  -  DAY\n\nA kettle.\n\nEXT./INT. FERRY - DAWN\n\nGulls.\n")
    project, exported = import_and_export(tmp_path, cli, text)
    assert exported.split("\n\n", 1)[1] == text
    # EXT/INT. is no scene heading in Fountain: it stays the lighthouse's action.
    assert [s.heading for s in parse_fountain(text).scenes] == [
        "INT LIGHTHOUSE -- NIGHT", "INT.  HARBOUR OFFICE  -  DAY", "EXT./INT. FERRY - DAWN"]
    assert "EXT/INT. CAR - DAY" in index_of(project).block("scene-1")["content"]
    scene = project.root / "story" / "scene-1.md"
    assert "heading: INT LIGHTHOUSE -- NIGHT\n" in scene.read_text()
    scene.write_text(set_field(scene.read_text(), "time_of_day", "DAWN"))  # the heading no longer says it
    assert cli("export", "-f", "fountain", cwd=project.root).exit_code == 0
    assert "\nINT. LIGHTHOUSE - DAWN\n" in (project.exports / "screenplay.fountain").read_text()


def test_time_words_do_not_split_a_place_and_titles_keep_abbreviations(tmp_path, cli, index_of):
    assert (parse_heading("EXT. BY THE RIVER - NIGHT - CONTINUOUS").location,
            parse_heading("EXT. BY THE RIVER - NIGHT - CONTINUOUS").time_of_day) == ("BY THE RIVER", "NIGHT - CONTINUOUS")
    assert parse_heading("INT. LIGHTHOUSE -- KITCHEN - DAY") == Scene(
        "INT. LIGHTHOUSE -- KITCHEN - DAY", "INT", "LIGHTHOUSE - KITCHEN", "DAY", None)
    assert parse_heading("INT. HOSPITAL - ICU - A FEW MINUTES LATER").location == "HOSPITAL - ICU"
    assert display_name("A.P. NEWSROOM (PARIS)") == "A.P. Newsroom (Paris)"
    text = ("EXT. BY THE RIVER - NIGHT\n\nWater.\n\nEXT. BY THE RIVER - NIGHT - CONTINUOUS\n\nMore water.\n\n"
            "INT. A.P. NEWSROOM (PARIS) - DAY\n\nPhones.\n")
    project, exported = import_and_export(tmp_path, cli, text)
    locations = {row["key"]: row["title"] for row in index_of(project).blocks("type = 'location'")}
    assert locations == {"by-the-river": "By The River", "a-p-newsroom-paris": "A.P. Newsroom (Paris)"}
    assert exported.split("\n\n", 1)[1] == text


def test_a_title_of_several_lines_is_exported_as_those_lines(tmp_path, cli):
    text = "Title:\n    _**BRICK & STEEL**_\n    _**FULL RETIRED**_\nAuthor: Stu Maschwitz\n\nEXT. BRICK'S PATIO - DAY\n\nSun.\n"
    _, exported = import_and_export(tmp_path, cli, text)
    assert exported == text
    assert plain(exported)[0] == ("title page", {"Title": ["_**BRICK & STEEL**_", "_**FULL RETIRED**_"],
                                                 "Author": ["Stu Maschwitz"]})


def test_a_very_long_heading_gives_a_short_readable_id(tmp_path, cli):
    place = " ".join(["THE LONG CORRIDOR OF THE OLD MINISTRY WHERE NOBODY HAS WALKED SINCE THE WAR"] * 6)
    text = f"INT. {place} - NIGHT\n\nDust.\n\nINT. {place} AGAIN - DAY\n\nMore dust.\n"
    project, exported = import_and_export(tmp_path, cli, text)
    names = sorted(path.stem for path in (project.root / "design").glob("*.md"))
    assert names == ["the-long-corridor-of-the-old-ministry-where-nobody-has",
                     "the-long-corridor-of-the-old-ministry-where-nobody-has-2"]
    assert exported.split("\n\n", 1)[1] == text


@pytest.mark.parametrize("bad, where, code", [("\x00", "3:5", "U+0000"), ("\x1b[31m", "3:5", "U+001B"),
                                              ("\x0c", "1:16", "U+000C"), ("\u2028", "3:1", "U+2028")])
def test_a_control_character_is_refused_at_import_with_where_it_is(tmp_path, cli, bad, where, code):
    text = "INT. HALL - DAY\n\nAnna waves.\n"
    text = text.replace("Anna waves", "Anna" + bad + " waves") if where.startswith("3:5") else \
        text.replace("DAY", "DAY" + bad) if where == "1:16" else text.replace("Anna", bad + "Anna")
    project = init_project(tmp_path / "film")
    script = tmp_path / "script.fountain"
    script.write_text(text, encoding="utf-8")
    result = cli("import", str(script), cwd=project.root)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"cinefile: {script}:{where}: control character {code} in the screenplay (a stray byte from a copy or "
        "a converter): delete it and import again"]
    assert not list(project.root.rglob("*.md"))


def test_names_in_any_script_get_readable_ids_that_link(tmp_path, cli, index_of):
    text = ("INT. 東京タワー - NIGHT\n\nЯРОСЛАВ\nДобрый вечер.\n\nΣΟΦΙΑ (V.O.)\nΚαλησπέρα.\n\n"
            "@ハナ\nこんばんは。\n\nЯРОСЛАВ ^\nДа.\n")
    project, exported = import_and_export(tmp_path, cli, text)
    index = index_of(project)
    rows = index.blocks()
    assert {row["key"]: row["title"] for row in rows if row["type"] in ("character", "location")} == {
        "dongjingtawa": "東京タワー", "yaroslav": "Ярослав", "sofia": "Σοφια", "hana": "ハナ"}
    assert [ref[0] for ref in json.loads(index.block("scene-1")["refs"])] == ["dongjingtawa", "yaroslav", "sofia", "hana"]
    assert not [p for row in rows for p in problems_of(row) if p["severity"] == "error"]
    assert exported.split("\n\n", 1)[1] == text


def test_synopses_know_whether_they_follow_a_section_or_text():
    play = parse_fountain("= opens the film\n\n# ONE\n\n= under the act\n\n= and another\n\n"
                          "INT. HALL - DAY\n\nDust.\n\n= among the text\n\nMore dust.\n\n## Later\n\n= the sequence's\n")
    assert play.items == [
        Synopsis("opens the film", attached=False), Section(1, "ONE"), Synopsis("under the act"),
        Synopsis("and another"),
        Scene("INT. HALL - DAY", "INT", "HALL", "DAY", None, ["", "Dust.", ""]),
        Synopsis("among the text", attached=False),
        Section(2, "Later", ["the sequence's"], before=["More dust."])]


def test_a_location_reused_by_id_under_another_title_keeps_the_place_as_written(sample, cli, tmp_path):
    """The sample's `ferry-deck` is titled Ferry Car Deck: the new scene names its place itself."""
    script = tmp_path / "deck.fountain"
    script.write_text("Title: Night Ferry\n\nEXT. FERRY DECK - DAWN\n\nGulls over the wake.\n", encoding="utf-8")
    result = cli("import", str(script), cwd=sample.root)
    assert result.exit_code == 0, result.output
    assert "reused 1 existing: ferry-deck" in result.output
    created = [line.split()[-1] for line in result.output.splitlines() if line.startswith("created story/")]
    assert len(created) == 1 and "location: Ferry Deck\n" in (sample.root / created[0]).read_text()
    assert cli("export", "-f", "fountain", cwd=sample.root).exit_code == 0
    assert "\nEXT. FERRY DECK - DAWN\n\nGulls over the wake.\n" in (sample.exports / "screenplay.fountain").read_text()
