"""The core pieces editors lean on: the fields a type needs, new-block templates, and the
one-block link check agreeing with the whole-project one."""

from __future__ import annotations

from cinefile.daemon.api.scaffold import init_project
from cinefile.format.catalog import TYPES
from cinefile.format.fields import TYPE_FIELDS, missing_fields
from cinefile.format.links import check_block, check_links
from cinefile.format.parse import parse_text
from cinefile.format.templates import block_path, block_template


def test_missing_fields_are_warnings_on_the_empty_key_or_the_type_line():
    """A scene without `time_of_day` and with an empty `int_ext`: two warnings, each where
    the writer will fix it."""
    block = parse_text("story/s.md", "---\ntype: scene\nint_ext:\n---\n")
    problems = {p.message.split("`")[1]: p for p in missing_fields(block)}
    assert set(problems) == {"int_ext", "time_of_day"}
    assert problems["int_ext"].range.start.line == 2 and problems["time_of_day"].range.start.line == 1
    assert all(p.severity == "warning" and p.code == "missing-field" for p in problems.values())
    assert missing_fields(parse_text("design/m.md", "---\ntype: character\n---\n")) == []


def test_every_type_has_a_template_that_parses_cleanly():
    """A new block of any type is valid, titled from its id, and in its phase's folder; the
    only warnings are the empty fields its type needs, each on its own key, to fill in."""
    for name in TYPES:
        block = parse_text(block_path(name, "harbour-wall"), block_template(name, "harbour-wall"))
        assert block.type == name and block.title == "Harbour wall"
        assert [(p.code, block.key_ranges[p.message.split("`")[1]]) for p in block.problems] == [
            ("missing-field", block.key_ranges[field]) for field in TYPE_FIELDS.get(name, {})]
    assert block_path("shot", "shot-9") == "shooting/shot-9.md"


def test_check_block_agrees_with_check_links(tmp_path):
    """For every block of the sample, with a misspelt and a duplicated id added, the one-block
    check finds what the whole-project check finds, cycles aside."""
    project = init_project(tmp_path / "film", sample=True)
    blocks = [parse_text(p.relative_to(project.root).as_posix(), p.read_text()) for p in project.root.rglob("*.md")]
    blocks.append(parse_text("design/mara-copy.md", "---\ntype: character\nid: mara\n---\n"))
    blocks.append(parse_text("shooting/x.md", "---\ntype: shot\nparent: scene-1\ndependencies: [marra]\n---\n"))
    whole = check_links(blocks)
    by_id: dict = {}
    for block in blocks:
        by_id.setdefault(block.id, []).append(block)
    for block in blocks:
        assert check_block(block, by_id) == whole.get(block.path, []), block.path
    assert any(p.code == "duplicate-id" for p in whole["design/mara.md"])
