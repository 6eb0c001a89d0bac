"""The Fountain screenplay export, read back by an independent parser (screenplain)."""

from __future__ import annotations

import io

from cinefile.format.edit import set_field
from screenplain.parsers.fountain import parse
from screenplain.types import Dialog, Section, Slug


def screenplay_of(project, cli, *options: str):
    result = cli("export", "--format", "fountain", *options, cwd=project.root)
    assert result.exit_code == 0, result.output
    return parse(io.StringIO((project.exports / "screenplay.fountain").read_text(encoding="utf-8")))


def slugs(play) -> list[tuple[str, str | None]]:
    return [(str(p.line), str(p.scene_number) if p.scene_number else None)
            for p in play.paragraphs if isinstance(p, Slug)]


def test_sample_screenplay_parses_with_scenes_characters_and_structure(sample, cli):
    play = screenplay_of(sample, cli)
    assert play.title_page["Title"] == ["Night Ferry"]
    assert slugs(play) == [("EXT. FERRY CAR DECK - NIGHT", None), ("INT. WHEELHOUSE - NIGHT", None)]
    dialog = [(str(p.character), [str(text) for _, text in p.blocks])
              for p in play.paragraphs if isinstance(p, Dialog)]
    assert [name for name, _ in dialog] == ["CAPTAIN ILSE (V.O.)", "ILSE", "MARA", "ILSE"]
    assert dialog[1][1] == ["Bilge pump's sulking again. Go and give it a kick."]
    sections = [p for p in play.paragraphs if isinstance(p, Section)]
    # The act is a section holding the first beat's synopsis; the second beat's synopsis sits
    # under the heading of its first scene, where every Fountain reader attaches it.
    assert [(str(s.text), s.level, s.synopsis) for s in sections] == [("Act One: The Crossing", 1, "Boarding")]
    assert [p.synopsis for p in play.paragraphs if isinstance(p, Slug)] == [None, "The Storm Turns"]


def test_title_page_comes_from_cinefile_toml(sample, cli):
    config = sample.root / "cinefile.toml"
    config.write_text(config.read_text() + '\n[title_page]\nauthor = "R. Holm"\ncontact = ["Harbour Films", "Bergen"]\n')
    play = screenplay_of(sample, cli)
    assert play.title_page == {"Title": ["Night Ferry"], "Author": ["R. Holm"], "Contact": ["Harbour Films", "Bergen"]}


def test_scene_numbers_on_request(sample, cli):
    play = screenplay_of(sample, cli, "--scene-numbers")
    assert slugs(play) == [("EXT. FERRY CAR DECK - NIGHT", "1"), ("INT. WHEELHOUSE - NIGHT", "2")]


def add_scene(project, name: str, parent: str, heading_fields: str) -> None:
    (project.root / "story" / f"{name}.md").write_text(
        f"---\ntype: scene\nparent: {parent}\n{heading_fields}---\nA new scene.\n", encoding="utf-8")


def test_locked_numbering_stays_stable_when_scenes_are_added(sample, cli):
    result = cli("export", "-f", "fountain", "--lock-scene-numbers", cwd=sample.root)
    assert result.exit_code == 0, result.output
    assert "locked the scene number of story/scene-1.md" in result.output
    assert "scene_number: '1'" in (sample.root / "story/scene-1.md").read_text()
    # A scene added before scene 1 and one between 1 and 2 take letters; 1 and 2 keep their numbers.
    add_scene(sample, "scene-0-prologue", "beat-1", "order: 0\nlocation: Harbour\nint_ext: EXT\n")
    add_scene(sample, "scene-1b-hold", "beat-1", "int_ext: INT\nlocation: Car hold\ntime_of_day: NIGHT\n")
    play = screenplay_of(sample, cli)
    assert slugs(play) == [("EXT. HARBOUR", "A1"), ("EXT. FERRY CAR DECK - NIGHT", "1"),
                           ("INT. CAR HOLD - NIGHT", "1A"), ("INT. WHEELHOUSE - NIGHT", "2")]


def test_scene_heading_falls_back_to_the_set_in_location_and_forces_odd_headings(sample, cli):
    scene = sample.root / "story/scene-2.md"
    text = set_field(scene.read_text(), "int_ext", None)
    scene.write_text(set_field(text, "time_of_day", "dawn"))
    play = screenplay_of(sample, cli)
    assert slugs(play)[1] == ("WHEELHOUSE - DAWN", None)  # a forced heading: `.WHEELHOUSE - DAWN`
    assert ".WHEELHOUSE - DAWN\n" in (sample.exports / "screenplay.fountain").read_text()


def test_body_lines_that_look_like_structure_stay_action(sample, cli):
    scene = sample.root / "story/scene-2.md"
    scene.write_text(scene.read_text() + "\n= not a synopsis\n\n# not a section\n")
    play = screenplay_of(sample, cli)
    assert [str(p.text) for p in play.paragraphs if isinstance(p, Section)] == ["Act One: The Crossing"]
    text = (sample.exports / "screenplay.fountain").read_text()
    assert "!= not a synopsis\n" in text and "!# not a section\n" in text


def test_a_scene_heading_inside_a_body_stays_action(tmp_path):
    """Generated or pasted text that repeats a slugline must not split the scene in two."""
    from cinefile.daemon.exports.fountain import scene_body
    from cinefile.daemon.exports.summary import ExportedBlock

    body = "EXT. THE RAMP - NIGHT\n\nRain.\n\n.FORCED HEADING\n\n...and then nothing.\n"
    block = ExportedBlock("scene-1", "story/scene-1.md", "scene", "Story", "The Ramp", [], None, [], "fresh", "", "",
                          {}, body, [])
    text = scene_body(block)
    assert text.split("\n")[0] == "!EXT. THE RAMP - NIGHT" and "!.FORCED HEADING" in text and "\n...and then" in text
    parsed = parse(io.StringIO("INT. WHEELHOUSE - NIGHT\n\n" + text + "\n"))
    assert len([p for p in parsed if isinstance(p, Slug)]) == 1
