"""A corpus of broken files: each gets its expected problem at its exact range, the rest
of the project still syncs, and no broken file is ever modified."""

import json
import os
from pathlib import Path

from cinefile.daemon.api.status import problem_lines
from cinefile.daemon.index.sync import sync
from conftest import PROJECTS, write

EXPECTED = json.loads((PROJECTS / "bad-corpus.expected.json").read_text())


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*.md")}


def test_every_bad_file_gets_its_problem_at_its_range(make_project, index_of):
    project = make_project("bad-corpus")
    index = index_of(project)
    sync(project, index)
    found: dict[str, list] = {}
    for p in problem_lines(index):
        if p["code"] == "missing-field" and "missing-field" not in p["path"]:
            continue  # a scene or shot in the corpus lacks fields only by the way
        found.setdefault(p["path"], []).append([p["code"], p["severity"], p["line"], p["col"], p["end_line"], p["end_col"]])
    assert len(EXPECTED) >= 20
    assert found == EXPECTED


def test_each_problem_is_one_line_saying_what_to_do(make_project, index_of):
    project = make_project("bad-corpus")
    index = index_of(project)
    sync(project, index)
    for p in problem_lines(index):
        assert "\n" not in p["message"] and ":" in p["message"], p


def test_broken_files_do_not_stop_the_others_and_are_never_modified(make_project, index_of):
    project = make_project("bad-corpus")
    before = _snapshot(project.root)
    index = index_of(project)
    report = sync(project, index)
    assert len(report.added) == len(before)
    assert index.block("mara")["type"] == "character" and index.block("beat-1")["problems"] == "[]"
    assert _snapshot(project.root) == before


def test_a_file_over_the_size_limit_is_reported_not_read(empty, index_of):
    write(empty.root, "story/huge.md", "---\ntype: scene\n---\n" + "x" * (5 * 1024 * 1024 + 10))
    index = index_of(empty)
    sync(empty, index)
    [problem] = problem_lines(index)
    assert problem["code"] == "too-large" and "5 MB" in problem["message"]


def test_a_symlink_out_of_the_project_is_refused(empty, index_of, tmp_path):
    outside = write(tmp_path, "elsewhere/secret.md", "---\ntype: scene\n---\nNot ours.\n")
    os.symlink(outside, empty.root / "story" / "linked.md")
    os.symlink(outside.parent, empty.root / "story" / "linked-folder")
    index = index_of(empty)
    report = sync(empty, index)
    assert set(report.refused) == {"story/linked.md", "story/linked-folder"}
    assert index.blocks() == []


def test_a_symlink_inside_the_project_is_followed(empty, index_of):
    target = write(empty.root, "design/mara.md", "---\ntype: character\nid: mara\n---\n")
    os.symlink(target, empty.root / "story" / "alias.md")
    index = index_of(empty)
    sync(empty, index)
    assert {r["path"] for r in index.blocks()} == {"design/mara.md", "story/alias.md"}


def test_an_unreadable_file_is_a_problem_not_a_crash(empty, index_of):
    if os.geteuid() == 0:
        # root reads everything; simulate with a folder in the file's place instead
        (empty.root / "story" / "locked.md").mkdir()
        index = index_of(empty)
        sync(empty, index)
        assert index.blocks() == []
        return
    path = write(empty.root, "story/locked.md", "---\ntype: scene\n---\n")
    path.chmod(0)
    index = index_of(empty)
    sync(empty, index)
    assert problem_lines(index)[0]["code"] == "unreadable"


def test_a_file_name_that_is_not_utf8_is_reported_not_a_crash(empty, index_of):
    name = os.fsencode(empty.root / "story") + b"/caf\xe9.md"
    with open(name, "wb") as handle:
        handle.write(b"---\ntype: scene\n---\n")
    write(empty.root, "story/fine.md", "---\ntype: scene\n---\n")
    index = index_of(empty)
    report = sync(empty, index)
    assert report.added == ["story/fine.md"]
    assert list(report.refused.values()) == ["file name is not valid UTF-8; not indexed: rename the file"]


def test_many_blocks_sharing_an_id_name_a_few_of_the_others(empty, index_of):
    """Each twin names the others; 300 copies of one id must not write 300 × 300 paths."""
    for i in range(300):
        write(empty.root, f"story/copy-{i:03d}.md", f"---\ntype: beat\nid: same\n---\nCopy {i}\n")
    index = index_of(empty)
    sync(empty, index)
    problems = [json.loads(row["link_problems"]) for row in index.blocks()]
    messages = [p["message"] for found in problems for p in found if p["code"] == "duplicate-id"]
    assert len(messages) == 300
    assert messages[0] == ("duplicate id `same`: also used by story/copy-001.md, story/copy-002.md, story/copy-003.md "
                           "and 296 more; give one of them another `id:`")


def test_a_long_cycle_keeps_its_message_short(empty, index_of):
    for i in range(200):
        write(empty.root, f"story/b{i:03d}.md", f"---\ntype: beat\ndependencies: [b{(i + 1) % 200:03d}]\n---\nBeat {i}\n")
    index = index_of(empty)
    sync(empty, index)
    messages = [p["message"] for row in index.blocks() for p in json.loads(row["link_problems"]) if p["code"] == "cycle"]
    assert len(messages) == 200
    assert set(messages) == {"dependency cycle b000 → b001 → b002 → … 194 more → b197 → b198 → b199 → b000: "
                             "remove one of these references"}


def test_an_id_named_by_many_blocks_but_gone_is_matched_once(empty, index_of, monkeypatch):
    """A renamed character that 400 scenes still name: one search for the closest id, not 400."""
    from cinefile.format import links

    calls = []
    real_closest = links.closest
    monkeypatch.setattr(links, "closest", lambda word, choices: calls.append(word) or real_closest(word, choices))
    write(empty.root, "design/mara-the-captain.md", "---\ntype: character\n---\nMara.\n")
    for i in range(400):
        write(empty.root, f"story/scene-{i:03d}.md", f"---\ntype: beat\ndependencies: [mara-captain]\n---\nScene {i}\n")
    index = index_of(empty)
    sync(empty, index)
    messages = {p["message"] for row in index.blocks() for p in json.loads(row["link_problems"]) if p["code"] == "unknown-ref"}
    assert messages == {"dependency `mara-captain` names no block: did you mean `mara-the-captain`?"}
    assert calls == ["mara-captain"]
