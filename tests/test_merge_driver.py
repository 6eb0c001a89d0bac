"""The merge driver: a block file merged key by key (frontmatter) and line by line (body), with
conflict markers only where both sides changed the same thing; a file that is not a block is
merged as text. Set up by `cinefile git-setup` (and `init`), run by real git in temp repos; and
staleness after two clones edit, commit, pull and merge is what a fresh sync says."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from cinefile.daemon.git.merge import merge_files
from cinefile.daemon.git.setup import ATTRIBUTE_LINE, driver_command, set_up
from cinefile.format.merge import merge_block
from cinefile.format.parse import parse_text
from conftest import write
from git_helpers import as_user, commit_all, git, no_user_git_config  # noqa: F401

BASE = """---
type: scene
title: The crossing
# what the scene is made from
dependencies: [mara, ferry]
int_ext: EXT
---
# The crossing

Mara boards the ferry.

The horn sounds twice.
"""
# One person adds a dependency; the other generated the scene, which recorded what it was made from.
WITH_LAMP = BASE.replace("dependencies: [mara, ferry]", "dependencies: [mara, ferry, lamp]")
GENERATED = BASE.replace("int_ext: EXT\n", "int_ext: EXT\ngenerated:\n  from: {mara: 0a1b2c3d4e5f, ferry: 5f4e3d2c1b0a}\n")
BOTH = WITH_LAMP.replace("int_ext: EXT\n", "int_ext: EXT\ngenerated:\n  from: {mara: 0a1b2c3d4e5f, ferry: 5f4e3d2c1b0a}\n")


def no_body_merge(*_):
    raise AssertionError("the bodies are the same: nothing to merge line by line")


def merged(base: str, ours: str, theirs: str, tmp_path: Path) -> tuple[str, int]:
    """The driver's merge of three texts, through files as git hands them over."""
    paths = [tmp_path / name for name in ("base", "ours", "theirs")]
    for path, text in zip(paths, (base, ours, theirs)):
        path.write_bytes(text.encode())
    conflicts = merge_files(*paths)
    return paths[1].read_bytes().decode(), conflicts


def test_two_fields_changed_on_two_sides_merge_cleanly():
    """The case git's line merge gets wrong: the two changes are a line apart."""
    result = merge_block(BASE, WITH_LAMP, GENERATED, no_body_merge)
    assert (result.text, result.conflicts) == (BOTH, 0)
    assert merge_block(BASE, GENERATED, WITH_LAMP, no_body_merge).text == BOTH  # either way round


def test_one_field_changed_two_ways_gets_markers_around_that_field_alone():
    ours = BASE.replace("title: The crossing", "title: Night crossing").replace("[mara, ferry]", "[mara, ferry, lamp]")
    theirs = BASE.replace("title: The crossing", "title: Last crossing").replace("int_ext: EXT", "int_ext: INT")
    result = merge_block(BASE, ours, theirs, no_body_merge)
    assert result.conflicts == 1
    assert result.text == BASE.replace("title: The crossing\n", (
        "<<<<<<< ours\ntitle: Night crossing\n=======\ntitle: Last crossing\n>>>>>>> theirs\n")).replace(
        "[mara, ferry]", "[mara, ferry, lamp]").replace("int_ext: EXT", "int_ext: INT")
    problems = parse_text("story/crossing.md", result.text).problems
    assert [(p.code, p.range.start.line, p.range.end.line) for p in problems] == [("merge-conflict", 2, 6)]


def test_same_value_in_two_styles_a_removed_field_and_a_new_one():
    """Equal values written differently are no conflict (ours is kept); a field one side removed
    and the other left alone is removed; a field only one side added comes in after the field
    it follows on that side."""
    ours = BASE.replace("dependencies: [mara, ferry]", "dependencies:\n  - mara\n  - ferry").replace("int_ext: EXT\n", "")
    theirs = BASE.replace("dependencies: [mara, ferry]", "dependencies: [mara,  ferry]").replace(
        "title: The crossing\n", "title: The crossing\ntags: [night]\n")
    result = merge_block(BASE, ours, theirs, no_body_merge)
    assert result.conflicts == 0
    assert result.text == ours.replace("title: The crossing\n", "title: The crossing\ntags: [night]\n")


def test_a_field_removed_on_one_side_and_changed_on_the_other_conflicts():
    ours = BASE.replace("int_ext: EXT\n", "")
    theirs = BASE.replace("int_ext: EXT", "int_ext: INT")
    result = merge_block(BASE, ours, theirs, no_body_merge)
    assert result.conflicts == 1 and "<<<<<<< ours\n=======\nint_ext: INT\n>>>>>>> theirs\n" in result.text


def test_bodies_are_merged_line_by_line_by_git(tmp_path):
    ours = WITH_LAMP.replace("Mara boards the ferry.", "Mara boards the ferry, late.")
    theirs = GENERATED.replace("The horn sounds twice.", "The horn sounds three times.")
    text, conflicts = merged(BASE, ours, theirs, tmp_path)
    assert conflicts == 0
    assert text == BOTH.replace("Mara boards the ferry.", "Mara boards the ferry, late.").replace("twice", "three times")
    # The same line changed on both sides: markers in the body, the frontmatter still merged.
    text, conflicts = merged(BASE, ours, GENERATED.replace("Mara boards the ferry.", "Mara misses the ferry."), tmp_path)
    assert conflicts == 1
    assert text == BOTH.replace("Mara boards the ferry.\n", "<<<<<<< ours\nMara boards the ferry, late.\n"
                                "=======\nMara misses the ferry.\n>>>>>>> theirs\n")


def test_a_file_that_is_not_a_block_is_merged_as_text(tmp_path):
    notes = "# Notes\n\nOne.\n\nTwo.\n\nThree.\n"
    text, conflicts = merged(notes, notes.replace("One.", "One!"), notes.replace("Three.", "Three!"), tmp_path)
    assert (text, conflicts) == (notes.replace("One.", "One!").replace("Three.", "Three!"), 0)
    text, conflicts = merged(notes, notes.replace("Two.", "Two?"), notes.replace("Two.", "Two!"), tmp_path)
    assert conflicts == 1 and "<<<<<<< ours\nTwo?\n=======\nTwo!\n>>>>>>> theirs\n" in text
    # Broken YAML on one side: text too (here the changes are lines apart, so git merges them).
    broken = BASE.replace("title: The crossing", "title: [The crossing")
    text, conflicts = merged(BASE, broken, GENERATED, tmp_path)
    assert (text, conflicts) == (GENERATED.replace("title: The crossing", "title: [The crossing"), 0)


def test_the_driver_command_exits_as_git_expects(tmp_path, cli):
    for name, text in (("base", BASE), ("ours", WITH_LAMP), ("theirs", GENERATED)):
        write(tmp_path, name, text)
    done = cli("merge-driver", "base", "ours", "theirs", "7", "story/crossing.md", cwd=tmp_path)
    assert done.exit_code == 0 and (tmp_path / "ours").read_text() == BOTH
    write(tmp_path, "theirs", BOTH.replace("lamp]", "rope]"))
    assert cli("merge-driver", "base", "ours", "theirs", "7", "story/crossing.md").exit_code == 1
    wrong = cli("merge-driver", "base", "ours", "theirs", "seven", "story/crossing.md")
    assert (wrong.exit_code, wrong.output) == (2, "cinefile merge-driver: story/crossing.md: conflict marker size `seven` is not a number\n")


def test_git_setup_writes_the_attribute_once_and_configures_the_repository(empty, cli, no_user_git_config):  # noqa: F811
    root = empty.root
    assert (root / ".gitattributes").read_text().endswith(ATTRIBUTE_LINE + "\n")  # init wrote it
    outside = cli("git-setup", cwd=root)
    assert outside.output.endswith("not in a git repository: after `git init` (or in a clone), run `cinefile git-setup`\n")
    git(root, "init", "-q", "-b", "main")
    write(root, ".gitattributes", "*.png binary\n")
    first = cli("git-setup", cwd=root)
    assert first.output == "wrote .gitattributes (*.md merge=cinefile); set merge.cinefile.driver in this repository's config\n"
    assert set_up(root).attributes_written is False  # again: nothing to add
    attributes = (root / ".gitattributes").read_text()
    assert attributes.startswith("*.png binary\n") and attributes.count(ATTRIBUTE_LINE) == 1
    assert git(root, "config", "merge.cinefile.driver").strip() == driver_command()
    assert git(root, "check-attr", "merge", "story/x.md").strip() == "story/x.md: merge: cinefile"


def _project_repo(root: Path) -> None:
    git(root, "init", "-q", "-b", "main")
    as_user(root, "Ada")
    set_up(root)


def test_git_merge_runs_the_driver_and_leaves_markers_only_where_both_changed(empty, cli, no_user_git_config):  # noqa: F811
    root = empty.root
    _project_repo(root)
    write(root, "story/crossing.md", BASE)
    commit_all(root, "The crossing")
    git(root, "checkout", "-q", "-b", "generated")
    write(root, "story/crossing.md", GENERATED)
    commit_all(root, "Generated")
    git(root, "checkout", "-q", "main")
    write(root, "story/crossing.md", WITH_LAMP)
    commit_all(root, "Lamp")
    git(root, "merge", "-q", "--no-edit", "generated")
    assert (root / "story/crossing.md").read_text() == BOTH

    # Both change the title: git stops with a conflict in that field, and status says where.
    git(root, "checkout", "-q", "-b", "night")
    write(root, "story/crossing.md", BOTH.replace("The crossing", "Night crossing"))
    commit_all(root, "Night")
    git(root, "checkout", "-q", "main")
    write(root, "story/crossing.md", BOTH.replace("The crossing", "Last crossing").replace("lamp]", "lamp, rope]"))
    commit_all(root, "Last")
    stopped = subprocess.run(["git", "merge", "-q", "--no-edit", "night"], cwd=root, capture_output=True, text=True)
    assert stopped.returncode == 1
    text = (root / "story/crossing.md").read_text()
    assert "lamp, rope]" in text and "<<<<<<< ours\ntitle: Last crossing\n=======\ntitle: Night crossing\n>>>>>>> theirs\n" in text
    status = cli("status", "--all", cwd=root)
    assert status.exit_code == 1
    assert "story/crossing.md:3:1: error: merge conflict: both sides changed this (1 line ours, 1 line theirs)" in status.output


def _status(cli, root: Path) -> dict:
    return json.loads(cli("status", "--json", cwd=root).output)


@pytest.fixture
def origin(tmp_path, no_user_git_config):  # noqa: F811
    git(tmp_path, "init", "-q", "--bare", "-b", "main", "origin.git")
    return tmp_path / "origin.git"


def _clone(tmp_path: Path, origin: Path, name: str) -> Path:
    git(tmp_path, "clone", "-q", str(origin), name)
    as_user(tmp_path / name, name.title())
    set_up(tmp_path / name)
    return tmp_path / name


def test_staleness_after_two_clones_merge_is_what_a_fresh_sync_says(tmp_path, origin, cli):
    """Ada adds a dependency to a scene and edits a character; Bo, meanwhile, retitles the
    scene, edits a location and marks another scene fresh. Bo pulls (the driver merges the
    scene); Ada pulls that. Each status, from an index kept live across it all, is the one a
    fresh sync of the same files gives."""
    ada = _clone(tmp_path, origin, "ada")
    cli("init", str(ada))
    for path, text in (("design/mara.md", "---\ntype: character\n---\n# Mara\n\nA deckhand.\n"),
                       ("design/lamp.md", "---\ntype: prop\n---\n# Lamp\n"),
                       ("design/pier.md", "---\ntype: location\n---\n# Pier\n\nWet planks.\n"),
                       ("story/scene-1.md", "---\ntype: scene\ntitle: Boarding\ndependencies: [mara]\n---\nMara boards.\n"),
                       ("story/scene-2.md", "---\ntype: scene\ntitle: Waiting\ndependencies: [pier]\n---\nThe pier, at night.\n")):
        write(ada, path, text)
    assert cli("mark-fresh", "--all", cwd=ada).exit_code == 0
    commit_all(ada, "The story so far")
    git(ada, "push", "-q", "origin", "main")
    bo = _clone(tmp_path, origin, "bo")
    assert _status(cli, bo)["stale"] == []

    scene = (ada / "story/scene-1.md").read_text()
    write(ada, "story/scene-1.md", scene.replace("dependencies: [mara]", "dependencies: [mara, lamp]"))
    write(ada, "design/mara.md", "---\ntype: character\n---\n# Mara\n\nA deckhand with a limp.\n")
    assert cli("sync", cwd=ada).exit_code == 0
    commit_all(ada, "Lamp; Mara limps")
    git(ada, "push", "-q", "origin", "main")

    write(bo, "story/scene-1.md", scene.replace("title: Boarding", "title: Boarding at night"))
    write(bo, "design/pier.md", "---\ntype: location\n---\n# Pier\n\nWet planks, one lamp.\n")
    assert cli("mark-fresh", "scene-2", cwd=bo).exit_code == 0
    commit_all(bo, "Night; the pier")
    git(bo, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
    assert (bo / "story/scene-1.md").read_text().startswith(
        "---\ntype: scene\ntitle: Boarding at night\ndependencies: [mara, lamp]\ngenerated:\n")
    git(bo, "push", "-q", "origin", "main")
    git(ada, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")

    live = {name: _status(cli, root) for name, root in (("ada", ada), ("bo", bo))}
    assert {s["id"]: s["cause"] for s in live["bo"]["stale"]} == {"scene-1": "mara"}
    assert live["bo"]["errors"] == 0
    for root in (ada, bo):
        (root / "project.db").unlink()
        fresh = _status(cli, root)
        assert fresh == live[root.name]
    assert {k: v for k, v in live["ada"].items() if k != "root"} == {k: v for k, v in live["bo"].items() if k != "root"}


def test_a_side_that_changed_nothing_gives_the_other_byte_for_byte():
    for changed in (WITH_LAMP, GENERATED, BOTH, "\ufeff" + BASE, BASE.replace("\n", "\r\n")):
        assert merge_block(BASE, changed, BASE, no_body_merge).text == changed
        assert merge_block(BASE, BASE, changed, no_body_merge).text == changed


def test_comments_above_the_first_key_conflict_on_lines_of_their_own():
    base = "---\n# draft\ntype: prop\n---\nA lamp.\n"
    result = merge_block(base, base.replace("# draft", "# final"), base.replace("# draft", "# locked"), no_body_merge)
    assert result.conflicts == 1
    assert result.text == "---\n<<<<<<< ours\n# final\n=======\n# locked\n>>>>>>> theirs\ntype: prop\n---\nA lamp.\n"
