"""Final Draft (.fdx): the screenplay exported as a Final Draft document, and Final Draft files
imported as blocks. A Fountain screenplay goes in, out as FDX, into a fresh project and out
again as Fountain with the same scenes, characters and dialogue (read by screenplain, an
independent parser); an exported FDX read back gives the paragraphs it was written from."""

from __future__ import annotations

import json
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from cinefile.daemon.api import ProjectAPI
from cinefile.daemon.api.scaffold import init_project
from cinefile.daemon.exports.fdx import fdx_document, fdx_xml
from cinefile.daemon.exports.fdx_import import parse_fdx
from cinefile.daemon.exports.film import Film
from cinefile.daemon.exports.screenplay_paragraphs import Run, fountain_text, runs_of
from screenplain.types import Transition
from test_fountain_import import headings, read, speeches

SCREENPLAYS = Path(__file__).parent / "screenplays"
KEEPER = SCREENPLAYS / "the-keeper.fountain"
CROSSING = SCREENPLAYS / "the-crossing.fdx"


def imported(tmp_path: Path, cli, source: Path, name: str):
    project = init_project(tmp_path / name, name=name)
    result = cli("import", str(source), cwd=project.root)
    assert result.exit_code == 0, result.output
    return project


def exported(project, cli, fmt: str, file_name: str) -> Path:
    result = cli("export", "-f", fmt, cwd=project.root)
    assert result.exit_code == 0, result.output
    return project.exports / file_name


def test_fountain_to_fdx_and_back_keeps_scenes_characters_dialogue_and_title_page(tmp_path, cli, index_of):
    first = imported(tmp_path, cli, KEEPER, "first")
    fdx = exported(first, cli, "fdx", "screenplay.fdx")
    second = imported(tmp_path, cli, fdx, "second")
    original = read(exported(first, cli, "fountain", "screenplay.fountain"))
    again = read(exported(second, cli, "fountain", "screenplay.fountain"))
    assert len(headings(original)) == 6
    assert headings(again) == headings(original)
    assert speeches(again) == speeches(original)
    assert any(dual for _, _, dual in speeches(again))
    transitions = lambda play: [str(p.line) for p in play.paragraphs if isinstance(p, Transition)]
    assert transitions(again) == transitions(original) == ["CUT TO:", "SMASH CUT TO:", "BURN TO WHITE."]
    characters = lambda project: sorted(row["key"] for row in index_of(project).blocks() if row["type"] == "character")
    assert characters(second) == characters(first) == ["berit", "jonas"]
    text = (second.exports / "screenplay.fountain").read_text()
    assert "[[Keep this dry. She likes him already and will never say so.]]" in text  # the note came through
    table = lambda project: tomllib.loads((project.root / "cinefile.toml").read_text())["title_page"]
    assert table(second) == table(first)


def test_an_exported_fdx_is_a_final_draft_document_and_reads_back_as_its_paragraphs(tmp_path, cli):
    project = imported(tmp_path, cli, KEEPER, "keeper")
    data = exported(project, cli, "fdx", "screenplay.fdx").read_bytes()
    root = ET.fromstring(data)
    assert (root.tag, root.attrib) == ("FinalDraft", {"DocumentType": "Script", "Template": "No", "Version": "5"})
    types = [p.get("Type") for p in root.find("Content")]
    assert types.count("Scene Heading") == 6 and {"Action", "Character", "Parenthetical", "Dialogue", "Transition"} <= set(types)
    assert root.find("Content/Paragraph/DualDialogue") is not None
    assert [p.findtext("Text") for p in root.find("TitlePage/Content") if p.findtext("Text")][:2] == ["The Keeper", "written by"]
    with ProjectAPI(project) as api:
        for numbers in (False, True):
            document = fdx_document(Film.load(api.project, api.index), scene_numbers=numbers)
            assert parse_fdx(fdx_xml(document).encode("utf-8"), "screenplay.fdx") == document
    numbered = exported(project, cli, "fdx", "screenplay.fdx")  # unchanged: same project, same bytes
    assert numbered.read_bytes() == data


def test_a_final_draft_file_becomes_blocks(tmp_path, cli, index_of):
    project = init_project(tmp_path / "crossing")
    result = cli("import", str(CROSSING), cwd=project.root)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == ("imported the-crossing.fdx: 0 acts, 0 beats, 2 scenes, 3 characters, "
                                              "2 locations; title page added to cinefile.toml")
    blocks = {row["key"]: row for row in index_of(project).blocks()}
    first, second = (json.loads(blocks[key]["frontmatter"]) for key in ("scene-1", "scene-2"))
    assert (first["int_ext"], first["time_of_day"], first["scene_number"]) == ("EXT", "DAWN", "1")
    assert (second["int_ext"], second["time_of_day"], second["scene_number"]) == ("INT", "CONTINUOUS", "2A")
    assert blocks["harbour-slipway"]["title"] == "Harbour Slipway"
    assert sorted(k for k, row in blocks.items() if row["type"] == "character") == ["elsa", "sigrid", "trond"]
    body = (project.root / "story/scene-1.md").read_text()
    assert "FADE IN:\n\nFog. The ferry *Solveig* waits" in body  # before the first heading: the top of scene 1
    assert "SIGRID\n(to no one)\nEleven cars. We have room for **eight**." in body  # the cue in capitals
    assert "CLOSE ON THE CLIPBOARD" in body  # a Shot, as action
    assert "The numbers are crossed out twice. [[Check the real capacity of a Utsira ferry.]]" in body
    later = (project.root / "story/scene-2.md").read_text()
    assert "TROND\nI was first.\n\nELSA ^\nYou were loud. [[Trond is the one from scene one.]]" in later
    assert later.rstrip().endswith("> FADE OUT.")
    assert tomllib.loads((project.root / "cinefile.toml").read_text())["title_page"] == {
        "title": "THE CROSSING", "credit": "Written by", "author": "Ada Lindqvist",
        "contact": ["Harbour Films", "Bergen"], "draft_date": "First draft"}


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE FinalDraft [<!ENTITY a "aaaaaaaaaa">'
                  b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
                  b'<FinalDraft><Content><Paragraph Type="Action"><Text>&c;</Text></Paragraph></Content></FinalDraft>')
EXTERNAL = (b'<?xml version="1.0"?><!DOCTYPE FinalDraft [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
            b'<FinalDraft><Content><Paragraph Type="Action"><Text>&secret;</Text></Paragraph></Content></FinalDraft>')


@pytest.mark.parametrize("content, message", [
    (None, "no such file: give the path of a .fdx file"),
    ("folder", "is a folder: give the path of a .fdx file"),
    (b'<?xml version="1.0"?><FinalDraft><Content><Paragraph>', "not a Final Draft file: its XML is broken"),
    (b"\x00\x01binary", "not a Final Draft file: its XML is broken"),
    (b'<?xml version="1.0"?><html><body/></html>', "not a Final Draft file (no <FinalDraft> with a <Content>)"),
    (BILLION_LAUGHS, "refused: it declares XML entities"),
    (EXTERNAL, "refused: it declares XML entities"),
    (b'<FinalDraft><Content><Paragraph Type="Action"><Text>Hi.</Text></Paragraph></Content></FinalDraft>',
     "no scene headings found"),
])
def test_a_malformed_or_hostile_fdx_is_one_line_and_exit_2(tmp_path, cli, content, message):
    project = init_project(tmp_path / "bad")
    script = tmp_path / "script.fdx"
    if content == "folder":
        script.mkdir()
    elif content is not None:
        script.write_bytes(content)
    result = cli("import", str(script), cwd=project.root)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "script.fdx" in lines[0], result.output
    assert "root:" not in result.output  # /etc/passwd was never read into anything
    assert not list(project.root.rglob("*.md"))


@pytest.mark.parametrize("fountain, runs", [
    ("plain", [Run("plain")]),
    ("a **bold** and *italic* _under_", [Run("a "), Run("bold", "Bold"), Run(" and "), Run("italic", "Italic"),
                                          Run(" "), Run("under", "Underline")]),
    ("***both*** end", [Run("both", "Bold+Italic"), Run(" end")]),
    ("a lone * star and \\*escaped\\*", [Run("a lone * star and *escaped*")]),
])
def test_emphasis_is_styled_runs_both_ways(fountain, runs):
    assert runs_of(fountain) == runs
    assert runs_of(fountain_text(runs)) == runs
