"""Marking many blocks fresh takes shortcuts: a file that is the version the index holds is
not parsed again (the index's parse of it is used), each folder's way out of the project is
checked once per operation, and the record is merged into `generated` in the YAML being
edited. Each shortcut gives what the long way gives, and never skips what a file on disk
says now."""

import os
import shutil

import pytest
from cinefile.daemon.api import ProjectAPI
from cinefile.daemon.api import review as review_module
from cinefile.daemon.errors import UserError
from cinefile.daemon.inside import Inside, within
from cinefile.format.edit import merge_field, set_field
from cinefile.format.parse import parse_text
from conftest import block_text, write
from test_mark_fresh_scale import hub_project


def texts(folder) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*.md"))}


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """The paths review parses itself, as it parses them."""
    seen, real = [], review_module.parse_text

    def counted(path, text, **options):
        seen.append(path)
        return real(path, text, **options)

    monkeypatch.setattr(review_module, "parse_text", counted)
    return seen


def test_files_as_indexed_are_marked_from_the_index_without_a_parse(tmp_path, parses):
    root = hub_project(tmp_path / "film", 5)
    with ProjectAPI.open(root) as api:
        api.sync()
        result = api.mark_fresh([f"shot-{n:03d}" for n in range(5)])
        states = {row["key"]: row["state"] for row in api.index.blocks("type = 'shot'")}
        harbour = api.index.hashes(["harbour"])["harbour"]
    assert parses == []
    assert len(result.marked) == 5 and set(states.values()) == {"fresh"}
    record = parse_text("s.md", (root / "shooting/shot-000.md").read_text()).record
    assert record is not None and record["harbour"] == harbour[:len(record["harbour"])]


def test_a_file_edited_after_the_sync_is_read_again_and_its_edit_kept(tmp_path, parses):
    """The index still holds the version before the edit: its parse would record what the
    block was made from then, and miss the dependency added since."""
    root = hub_project(tmp_path / "film", 4)
    write(root, "design/pier.md", block_text("location", "The pier."))
    with ProjectAPI.open(root) as api:
        api.sync()
        edited = block_text("shot", "Rain, edited by hand.", size="wide", angle="low", movement="static", lens="35mm",
                            duration=3, dependencies=["harbour", "style-guide", "pier"])
        write(root, "shooting/shot-002.md", edited)
        result = api.mark_fresh([f"shot-{n:03d}" for n in range(4)])
        state = api.index.block("shot-002")["state"]
    assert parses == ["shooting/shot-002.md"]
    written = (root / "shooting/shot-002.md").read_text()
    assert written.endswith("Rain, edited by hand.")
    assert set(parse_text("s.md", written).record) == {"harbour", "style-guide", "pier"}
    assert "shot-002" in result.fresh and state == "fresh"


def test_a_file_broken_after_the_sync_is_refused_though_its_index_row_is_readable(tmp_path):
    root = hub_project(tmp_path / "film", 4)
    with ProjectAPI.open(root) as api:
        api.sync()
        write(root, "shooting/shot-001.md", "---\ntype: shot\ndependencies: [harbour\n---\nBroken.\n")
        before = texts(root)
        with pytest.raises(UserError, match="shot-001.md: cannot mark it fresh while its frontmatter is broken"):
            api.mark_fresh([f"shot-{n:03d}" for n in range(4)])
    assert texts(root) == before


def folders_project(root, per_folder: int = 15):
    """Shots in two folders, `shooting/a` and `shooting/b`, made from the harbour."""
    write(root, "cinefile.toml", 'name = "Folders"\n')
    write(root, "design/harbour.md", block_text("location", "The harbour."))
    for folder in "ab":
        for n in range(per_folder):
            write(root, f"shooting/{folder}/shot-{folder}{n:02d}.md", block_text(
                "shot", f"Rain {n}.", size="wide", angle="low", movement="static", duration=3, dependencies=["harbour"]))
    return root, [f"shot-{folder}{n:02d}" for folder in "ab" for n in range(per_folder)]


def lead_out(root, outside):
    """`shooting/b` made a symlink to a copy of itself outside the project."""
    shutil.copytree(root / "shooting/b", outside)
    shutil.rmtree(root / "shooting/b")
    os.symlink(outside, root / "shooting/b")


@pytest.mark.parametrize("how", ["mark_fresh", "apply"])
def test_a_folder_made_a_symlink_out_after_the_sync_refuses_the_whole_batch(tmp_path, how):
    """Marked fresh, or written as changes computed before the folder became a symlink (the
    guarded write's own check): every file is refused, outside and in."""
    root, ids = folders_project(tmp_path / "film")
    with ProjectAPI.open(root) as api:
        api.sync()
        changes = [api.fresh_change(key) for key in ids] if how == "apply" else []
        lead_out(root, tmp_path / "elsewhere")
        before, outside = texts(root / "shooting/a"), texts(tmp_path / "elsewhere")
        with pytest.raises(UserError, match="shooting/b/shot-b00.md: outside the project folder"):
            api.apply(changes) if how == "apply" else api.mark_fresh(ids)
    assert texts(root / "shooting/a") == before and texts(tmp_path / "elsewhere") == outside


def test_inside_answers_as_within_does_with_its_folders_checked_once(tmp_path):
    root, outside = tmp_path / "film", tmp_path / "elsewhere"
    (root / "story").mkdir(parents=True)
    outside.mkdir()
    write(root, "story/scene-1.md", "x")
    write(outside, "secret.md", "x")
    os.symlink(outside / "secret.md", root / "story/leak.md")  # a file leading out, in a folder inside
    os.symlink(root / "story/scene-1.md", root / "story/alias.md")  # a file leading back in
    os.symlink(outside, root / "linked")  # a folder leading out
    paths = [root / "story/scene-1.md", root / "story/leak.md", root / "story/alias.md", root / "story/missing.md",
             root / "new/folder/file.md", root / "linked/secret.md", root / "linked", root, root / "story/../../x.md",
             root / "linked/../story/scene-1.md", outside / "secret.md", "/etc/passwd"]
    inside = Inside(root)
    answers = [inside(path) for path in paths + paths]  # the second round answers from the folders checked
    assert answers == [within(root, path) for path in paths + paths]
    assert answers[:len(paths)] == [True, False, True, True, True, False, False, True, False, False, False, False]


# -- the record merged into `generated` ----------------------------------------------------

MERGED = [
    ("---\ntype: shot\ngenerated:\n  model: some/model  # kept by value\n  at: 2026-11-01\n  from: {old: 123456789abc}\n"
     "tags: [night]\n---\nBody.\n"),
    "---\ntype: shot\n---\nNo generated key yet.\n",
    "---\ntype: shot\ngenerated: not a mapping\n---\n",
    "---\r\ntype: shot\r\ngenerated:\r\n  model: m\r\n---\r\nCRLF.\r\n",
    "---\ntype: shot\nbase: &base {model: m, seed: 4}\ngenerated: *base\n---\nAn alias.\n",
]
GIVEN_TWICE = "---\ntype: shot\ngenerated: {model: first}\ngenerated: {model: second}\n---\nThe last is read.\n"
RECORD = {"harbour": "abcdefabcdef", "style-guide": "012345678901"}


def by_parse(text: str) -> str:
    """The record set into `generated` as the block's parse reads it: the long way."""
    generated = parse_text("s.md", text).frontmatter.get("generated")
    return set_field(text, "generated", (dict(generated) if isinstance(generated, dict) else {}) | {"from": RECORD})


@pytest.mark.parametrize("text", MERGED + [GIVEN_TWICE])
def test_merging_the_record_writes_what_setting_the_parsed_value_writes(text):
    assert merge_field(text, "generated", {"from": RECORD}) == by_parse(text)


@pytest.mark.parametrize("text", MERGED)
def test_the_merged_record_is_read_back(text):
    assert parse_text("s.md", merge_field(text, "generated", {"from": RECORD})).record == RECORD

