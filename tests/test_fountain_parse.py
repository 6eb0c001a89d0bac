"""The Fountain reader behind `cinefile import`, on the corners of the syntax."""

from __future__ import annotations

from cinefile.daemon.exports.fountain_parse import Scene, Section, Synopsis, character_name, parse_fountain, parse_heading


def test_heading_parts():
    assert parse_heading("INT. LIGHTHOUSE - KITCHEN - DAY #4A#") == Scene(
        "INT. LIGHTHOUSE - KITCHEN - DAY #4A#", "INT", "LIGHTHOUSE - KITCHEN", "DAY", "4A")
    assert (parse_heading("int./ext. car -- moving").int_ext, parse_heading("int./ext. car -- moving").time_of_day) == (
        "INT/EXT", "moving")
    forced = parse_heading(".THE FOG HORN HOUSE")
    assert (forced.int_ext, forced.location, forced.time_of_day, forced.number) == ("", "THE FOG HORN HOUSE", "", None)
    assert parse_heading("I/E BOAT").int_ext == "I/E"


def test_character_cues():
    assert character_name("MARA (V.O.)") == "MARA"
    assert character_name("JONAS ^") == "JONAS"
    assert character_name("@McCLANE") == "MCCLANE"
    assert character_name("CUT TO:") is None
    assert character_name("> BURN TO WHITE.") is None
    assert character_name("Mara runs.") is None


def test_fade_in_alone_is_not_a_title_page_and_text_outside_scenes_stays_above_the_next_heading():
    play = parse_fountain("FADE IN:\r\n\r\nEXT. SEA - DAY\r\n\r\nWaves.\r\n")
    assert play.title_page == {}
    assert (play.scenes[0].before, play.scenes[0].text) == (["FADE IN:"], "Waves.")


def test_boneyard_hides_headings_and_structure():
    play = parse_fountain("EXT. SEA - DAY\n\nWaves.\n\n/*\n\nINT. CUT SCENE - NIGHT\n\n# Not an act\n\n*/\n\nGulls.\n")
    assert len(play.scenes) == 1 and not [i for i in play.items if isinstance(i, Section)]
    assert "INT. CUT SCENE - NIGHT" in play.scenes[0].text and play.scenes[0].text.endswith("Gulls.")


def test_synopses_under_sections_and_headings():
    play = parse_fountain("# ONE\n\n= opens\n\n## Night\n\n= under the sequence\n\nEXT. SEA - DAY\n\n= under the heading\n\nWaves.\n")
    assert [type(i).__name__ for i in play.items] == ["Section", "Synopsis", "Section", "Scene"]
    assert play.items[1] == Synopsis("opens")
    assert play.items[2] == Section(2, "Night", ["under the sequence"])
    assert play.scenes[0].synopses == ["under the heading"] and play.scenes[0].text == "Waves."


def test_page_breaks_stay_in_the_scene():
    play = parse_fountain("EXT. SEA - DAY\n\nWaves.\n\n===\n\nMore waves.\n")
    assert play.scenes[0].text == "Waves.\n\n===\n\nMore waves."
