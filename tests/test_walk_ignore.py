"""The walk runs ignore patterns only on the names they could match, and still indexes
exactly the files `Project.is_excluded` lets in (and the folders above them)."""

import re

import pytest

from cinefile.daemon.index.walk import walk
from cinefile.daemon.project import Project, name_pattern

from conftest import write

BLOCK = "---\ntype: beat\n---\nA beat.\n"
# Patterns of every shape: by name, anchored, folders only, `**`, classes, escapes, blanks,
# and `!` re-including a file or a folder.
ROOT_IGNORE = "\n".join([
    "# a comment", "project.db", "project.db-*", "*.notes.md", "drafts/", "/old.md", "build",
    "!keep.notes.md", "a/**/deep.md", "story/act-*/skip-?.md", "\\#hash.md", "trailing.md  ",
    "[ab]x.md", "!story/", "tmp*/", "",
])
STORY_IGNORE = "\n".join(["act-2/*", "!act-2/kept.md", "!drafts/", "*.md", "!scene-*.md", "!act-*/"])
NAMES = ["scene-1.md", "old.md", "x.notes.md", "keep.notes.md", "deep.md", "skip-1.md", "skip-10.md",
         "#hash.md", "trailing.md", "ax.md", "cx.md", "kept.md", "build.md", "Scene.MD"]
FOLDERS = ["", "story", "story/act-1", "story/act-2", "story/drafts", "design", "design/drafts",
           "a/b/c", "build", "tmp1", "shooting/tmp"]


def expected(project: Project) -> set[str]:
    """What a walk asking `is_excluded` of every folder and file would index."""
    kept = set()
    for folder in FOLDERS:
        parts = folder.split("/") if folder else []
        if any(project.is_excluded("/".join(parts[:i]), is_dir=True) for i in range(1, len(parts) + 1)):
            continue
        for name in NAMES:
            rel = f"{folder}/{name}" if folder else name
            if name.lower().endswith(".md") and not project.is_excluded(rel):
                kept.add(rel)
    return kept


def test_the_walk_indexes_what_is_excluded_lets_in(tmp_path):
    write(tmp_path, "cinefile.toml", 'name = "Walk"\n')
    write(tmp_path, ".gitignore", ROOT_IGNORE + "\n")
    write(tmp_path, "story/.cinefileignore", STORY_IGNORE + "\n")
    write(tmp_path, "design/.gitignore", "!drafts/\n")
    for folder in FOLDERS:
        for name in NAMES:
            write(tmp_path, f"{folder}/{name}" if folder else name, BLOCK)
    files = set(walk(Project(tmp_path)).files)
    assert files == expected(Project(tmp_path))
    # A few of the answers, said plainly.
    assert {"scene-1.md", "keep.notes.md", "story/scene-1.md", "story/drafts/scene-1.md", "design/drafts/old.md"} <= files
    assert not files & {"old.md", "x.notes.md", "a/b/c/deep.md", "#hash.md", "ax.md", "trailing.md", "story/act-2/kept.md",
                        "story/act-1/skip-1.md", "build/scene-1.md", "tmp1/scene-1.md"}


@pytest.mark.parametrize(("line", "folder", "matches", "misses"), [
    ("*.notes.md", False, ["a.notes.md"], ["a.md"]),
    ("!/story/old-?.md", False, ["old-1.md"], ["old-10.md", "new-1.md"]),
    ("drafts/", False, [], ["drafts", "a.md"]),
    ("drafts/", True, ["drafts"], ["story"]),
    ("/story/act-*/", True, ["act-1"], ["story"]),
    ("build", True, ["build"], ["builds"]),
    ("# *.md", False, [], ["a.md"]),
    ("a/**", False, ["anything.md"], []),
    ("[ab].md", False, ["c.md"], []),  # a class: not read here, so every name is tried
])
def test_an_ignore_line_says_which_names_it_could_match(line, folder, matches, misses):
    pattern = name_pattern(line, folder)
    for name in matches:
        assert pattern is not None and re.match(pattern, name), name
    for name in misses:
        assert pattern is None or not re.match(pattern, name), name
