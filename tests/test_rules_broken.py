"""A block whose frontmatter cannot be read is `broken`, not fresh, and what is made from it is
stale, naming it; a tab in YAML is called a tab."""

import json
import random

import pytest
from cinefile.daemon.api import ProjectAPI
from cinefile.daemon.index import relink
from cinefile.daemon.index.relink import relink_all
from cinefile.daemon.index.sync import open_index, sync
from cinefile.format.parse import parse_block, parse_text
from cinefile.format.problems import UNREADABLE_CODES
from cinefile.format.stale import BROKEN, FRESH, STALE, UNREVIEWED, StaleInput, compute_staleness, restore
from conftest import PROJECTS, write
from test_relink import _edit, _random_project, _snapshot

MARA = "---\ntype: character\nlook:\n  coat: yellow\n  boots: black\n---\nMara, 19, deckhand.\n"
TABBED = MARA.replace("  boots", "\tboots")
TAB_MESSAGE = "YAML syntax error: a tab is used for indentation at line 5; YAML needs spaces: replace the tab with spaces"


def state(index, key):
    row = index.block(key)
    return row["state"], row["stale_reason"]


@pytest.fixture
def film(empty, index_of):
    """scene-1 made from mara, shot-1 made from scene-1, both reviewed; scene-2 never reviewed."""
    write(empty.root, "design/mara.md", MARA)
    write(empty.root, "story/scene-1.md", "---\ntype: scene\nint_ext: EXT\ntime_of_day: NIGHT\ndependencies: [mara]\n---\nRain.\n")
    write(empty.root, "story/scene-2.md", "---\ntype: scene\nint_ext: INT\ntime_of_day: DAY\ndependencies: [mara]\n---\nDry.\n")
    write(empty.root, "shooting/shot-1.md", "---\ntype: shot\nparent: scene-1\nsize: wide\nangle: low\nmovement: static\n"
                                            "lens: 24mm\nduration: 3\n---\nThe ramp.\n")
    index = index_of(empty)
    sync(empty, index)
    ProjectAPI(empty, index=index).mark_fresh(["scene-1", "shot-1"])
    return empty, index


def test_a_block_that_breaks_is_broken_and_its_dependents_stale_naming_it(film):
    project, index = film
    write(project.root, "design/mara.md", TABBED)
    sync(project, index)
    assert state(index, "mara") == (BROKEN, TAB_MESSAGE)
    assert state(index, "scene-1") == (STALE, "mara cannot be read")
    assert state(index, "shot-1") == (STALE, "mara cannot be read (via scene-1)")
    assert state(index, "scene-2")[0] == UNREVIEWED  # never reviewed: still says so

    write(project.root, "design/mara.md", MARA)  # fixed as it was: nothing it made changed
    sync(project, index)
    assert [state(index, key)[0] for key in ("mara", "scene-1", "shot-1")] == [FRESH, FRESH, FRESH]


def test_broken_is_the_same_from_a_first_sync_a_relink_and_a_change(film, index_of):
    project, index = film
    write(project.root, "design/mara.md", TABBED)
    sync(project, index)
    after_change = {row["key"]: (row["state"], row["stale_reason"]) for row in index.blocks()}
    with index.write() as db:
        assert relink_all(db) == []
    project.db_path.unlink()
    fresh_index = index_of(project)
    sync(project, fresh_index)
    assert {row["key"]: (row["state"], row["stale_reason"]) for row in fresh_index.blocks()} == after_change


@pytest.mark.parametrize("seed", range(4))
def test_a_scoped_relink_matches_a_full_one_as_files_break_and_mend(tmp_path, monkeypatch, seed):
    """test_relink's random edits, and between them files whose YAML breaks (a tab) or mends."""
    monkeypatch.setattr(relink, "FULL_RELINK_SHARE", 1.0)  # never fall back on a project this small
    rng = random.Random(seed)
    root = tmp_path / "film"
    project = _random_project(rng, root)
    index = open_index(project)
    try:
        sync(project, index)
        seen: set[str] = set()
        for _ in range(80):
            if rng.random() < 0.3:
                named = [row["path"] for row in index.query(
                    "SELECT DISTINCT b.path FROM blocks b JOIN dependencies d ON d.dst_key = b.key ORDER BY 1")]
                path = root / rng.choice(named) if named else rng.choice(sorted(root.rglob("*.md")))
                text = path.read_text()
                path.write_text(text.replace("\n\tsize: wide", "") if "\tsize" in text else text.replace("\n", "\n\tsize: wide\n", 1))
                touched = [path.relative_to(root).as_posix()]
            else:
                touched = _edit(rng, root, index)
            sync(project, index, scope=touched, reread=True)
            incremental = _snapshot(index)
            with index.write() as db:
                assert relink_all(db) == []
            assert _snapshot(index) == incremental
            seen |= {row["state"] for row in incremental[0]}
            seen |= {"stale through a broken block" for row in incremental[0] if "cannot be read" in (row["stale_reason"] or "")}
        assert {BROKEN, STALE, FRESH, "stale through a broken block"} <= seen
    finally:
        index.close()


def test_every_unreadable_file_of_the_bad_corpus_is_broken_and_no_other(make_project, index_of):
    project = make_project("bad-corpus")
    index = index_of(project)
    sync(project, index)
    for row in index.blocks():
        codes = {p["code"] for p in json.loads(row["problems"])}
        readable = parse_block(row["path"], (project.root / row["path"]).read_bytes()).readable
        assert readable == (not codes & UNREADABLE_CODES), row["path"]
        assert (row["state"] == BROKEN) == (not readable), row["path"]
        if not readable:
            assert row["stale_reason"] and "\n" not in row["stale_reason"], row["path"]
    assert state(index, "yaml-syntax") == (
        BROKEN, "line 4: YAML syntax error: did not find expected ',' or ']': fix the frontmatter at this line")
    assert state(index, "binary") == (BROKEN, "binary content in a .md file: move it into assets/ or rename it")


def test_a_broken_state_read_back_from_the_index_is_the_same():
    nodes = {"mara": StaleInput("h-broken", [], None, broken="line 5: YAML syntax error"),
             "scene": StaleInput("h-scene", ["mara"], {"mara": "h-mara-before"}),
             "shot": StaleInput("h-shot", ["scene"], {"scene": "h-scene"})}
    states = compute_staleness(nodes)
    assert [states[k].reason for k in nodes] == ["line 5: YAML syntax error", "mara cannot be read",
                                                 "mara cannot be read (via scene)"]
    for found in states.values():
        back = restore(found.state, found.cause, found.reason)
        assert back == found and back.reason == found.reason


def test_status_lists_a_broken_block(film, cli):
    project, _ = film
    write(project.root, "design/mara.md", TABBED)
    result = cli("status", cwd=project.root)
    assert result.exit_code == 1  # the YAML error is an error
    assert f"mara cannot be read: {TAB_MESSAGE}  [design/mara.md]" in result.output
    assert "scene-1 is stale: mara cannot be read  [story/scene-1.md]" in result.output


@pytest.mark.parametrize("frontmatter, line", [
    ("type: scene\ndependencies:\n\t- mara\n", 4),  # a list item
    ("type: scene\n\ttitle: The Ramp\n", 3),  # a key
    ("type: scene\nlook:\n  coat: yellow\n  \tboots: black\n", 5),  # after spaces
    ("type: scene\nnotes: |\n\tWet.\n", 4),  # a block of text
])
def test_a_tab_used_for_indentation_is_named(frontmatter, line):
    [problem] = parse_text("story/scene.md", f"---\n{frontmatter}---\nBody.\n").problems
    assert problem.code == "yaml" and problem.range.start.line == line - 1
    assert problem.message == (f"YAML syntax error: a tab is used for indentation at line {line}; "
                               "YAML needs spaces: replace the tab with spaces")


def test_the_bad_corpus_tab_files_are_named_as_tabs():
    for name, line in (("tab-indent", 4), ("tab-in-mapping", 5)):
        [problem] = parse_block(name, (PROJECTS / "bad-corpus" / "broken" / f"{name}.md").read_bytes()).problems
        assert f"a tab is used for indentation at line {line}" in problem.message, name


def test_other_yaml_errors_keep_yamls_words():
    [problem] = parse_text("story/scene.md", "---\ntype: scene\ntitle: [a, b\n---\n").problems
    assert problem.message == "YAML syntax error: did not find expected ',' or ']': fix the frontmatter at this line"
