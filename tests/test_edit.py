"""Editing one frontmatter field keeps every other byte of the file."""

from cinefile.format.edit import EditError, set_field
from cinefile.format.parse import parse_text

import pytest

ORIGINAL = (
    "---\n"
    "# a comment the user wrote\n"
    "type: scene\n"
    "custom_field: {keep: [1, 2]}   # odd spacing kept\n"
    "generated:\n"
    "  from: {mara: 123456789abc}\n"
    "  model: some/model\n"
    "\n"
    "tags: [night]\n"
    "---\n"
    "Body line with trailing spaces   \n"
    "\n"
    "--- not a boundary inside the body? it is at the start of a line\n"
)


def test_set_field_changes_only_that_field():
    """Unknown keys, comments, spacing and the body survive byte for byte."""
    edited = set_field(ORIGINAL, "generated", {"from": {"mara": "abcdefabcdef"}, "model": "some/model"})
    assert edited.startswith("---\n# a comment the user wrote\ntype: scene\ncustom_field: {keep: [1, 2]}   # odd spacing kept\n")
    assert edited.endswith("\ntags: [night]\n---\nBody line with trailing spaces   \n\n--- not a boundary inside the body? it is at the start of a line\n")
    assert parse_text("s.md", edited).record == {"mara": "abcdefabcdef"}
    assert parse_text("s.md", edited).frontmatter["custom_field"] == {"keep": [1, 2]}


def test_set_field_adds_a_missing_key_before_the_closing_line():
    edited = set_field("---\ntype: beat\n---\nbody\n", "tags", ["a"])
    assert edited == "---\ntype: beat\ntags:\n- a\n---\nbody\n"


def test_set_field_removes_a_key():
    assert set_field("---\ntype: beat\ntags: [a]\nx: 1\n---\n", "tags", None) == "---\ntype: beat\nx: 1\n---\n"


def test_set_field_writes_text_as_typed_emoji_and_accents_too():
    """Written by libyaml for speed, except what it would escape (beyond the BMP)."""
    edited = set_field("---\ntype: shot\n---\n", "tags", ["nuit américaine", "🎬 take two", "line\u2028break"])
    assert edited.startswith("---\ntype: shot\ntags:\n- nuit américaine\n- 🎬 take two\n")
    assert parse_text("s.md", edited).tags == ["nuit américaine", "🎬 take two", "line\u2028break"]


def test_set_field_keeps_crlf_line_endings():
    edited = set_field("---\r\ntype: beat\r\n---\r\nbody\r\n", "mode", "final")
    assert edited == "---\r\ntype: beat\r\nmode: final\r\n---\r\nbody\r\n"


@pytest.mark.parametrize("text", ["no frontmatter\n", "---\ntype: [x\n---\n", "---\n- a\n---\n", "---\ntype: x\n"])
def test_set_field_refuses_what_it_cannot_edit_safely(text):
    with pytest.raises(EditError):
        set_field(text, "tags", ["a"])
