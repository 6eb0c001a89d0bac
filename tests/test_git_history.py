"""A block's versions in git: `project.db` is not committed, so a fresh clone has only the
commits to tell what came before. `history` lists the file's committed versions (following a
rename) with commit, author and date; `undo --to COMMIT` puts one back through the guarded
write. Without git, history is the index's alone."""

from __future__ import annotations

import pytest
from cinefile.daemon.api import ProjectAPI
from cinefile.daemon.errors import UserError
from cinefile.daemon.project import Project
from conftest import write
from git_helpers import as_user, commit_all, git, no_user_git_config  # noqa: F401

V1 = "---\ntype: beat\nid: turn\n---\nThe ferry turns back.\n"
V2 = "---\ntype: beat\nid: turn\n---\nThe ferry turns back into the fog.\n"
LOCAL = "---\ntype: beat\nid: turn\n---\nAn edit in the clone.\n"


@pytest.fixture
def clone(empty, tmp_path, no_user_git_config):  # noqa: F811
    """A project whose beat was committed twice by Ada, then renamed; cloned afresh (no
    project.db comes along). Returns (the clone, the three commits)."""
    root = empty.root
    git(root, "init", "-q", "-b", "main")
    as_user(root, "Ada")
    write(root, "story/turn.md", V1)
    first = commit_all(root, "First draft of the turn")
    write(root, "story/turn.md", V2)
    second = commit_all(root, "Fog")
    git(root, "mv", "story/turn.md", "story/the-turn.md")
    third = commit_all(root, "Rename the turn")
    git(tmp_path, "clone", "-q", str(root), "clone")
    return Project(tmp_path / "clone"), (first, second, third)


def test_a_fresh_clone_lists_the_committed_versions_across_a_rename(clone):
    project, (first, second, third) = clone
    assert not project.db_path.exists()
    with ProjectAPI(project) as api:
        api.sync()
        revisions = api.history("turn")
    from_git = [r for r in revisions if r.commit]
    assert [(r.commit, r.by, r.subject, r.path, r.text) for r in from_git] == [
        (first, "Ada", "First draft of the turn", "story/turn.md", V1),
        (second, "Ada", "Fog", "story/turn.md", V2),
        (third, "Ada", "Rename the turn", "story/the-turn.md", V2)]
    assert from_git[2].moved_from == "story/turn.md" and from_git[1].previous == V1
    assert from_git[0].label == first[:7] and all(r.version == 0 and r.how == "commit" for r in from_git)
    # The index's own version (the sync in the clone) comes after, in time order.
    assert revisions[-1].commit is None and (revisions[-1].version, revisions[-1].text) == (1, V2)
    assert [r.timestamp for r in revisions] == sorted(r.timestamp for r in revisions)
    assert revisions[-1].timestamp.endswith("+00:00") and from_git[0].timestamp.endswith("+00:00")


def test_undo_to_a_commit_goes_through_the_guarded_write(clone):
    """The committed text comes back; the text it replaces stays in history; an edit the
    index has not seen is not overwritten."""
    project, (first, _, _) = clone
    path = project.root / "story/the-turn.md"
    with ProjectAPI(project) as api:
        api.sync()
        write(project.root, "story/the-turn.md", LOCAL)  # not synced yet
        with pytest.raises(UserError, match="changed on disk since the last sync"):
            api.undo("turn", to=first[:7])
        assert path.read_text() == LOCAL
        api.sync()
        undone = api.undo("turn", to=first[:8])
        assert path.read_text() == V1
        assert undone.message == f"restored story/the-turn.md to commit {first[:7]} (now version 3)"
        assert api.history("turn")[-1].previous == LOCAL
        assert api.diff("turn", first[:7]) == ""  # the file now is that commit's text


def test_the_command_line_lists_commits_and_restores_one(clone, cli):
    project, (first, _, _) = clone
    listed = cli("history", "turn", cwd=project.root)
    lines = listed.output.splitlines()
    assert lines[0].startswith(f"{first[:7]} ") and lines[0].endswith("commit  story/turn.md  (First draft of the turn by Ada)")
    assert lines[2].endswith("commit  story/turn.md -> story/the-turn.md  (Rename the turn by Ada)")
    assert lines[3].startswith("v1    ")
    plain = cli("undo", "turn", cwd=project.root)  # the index alone has nothing earlier in a fresh clone
    assert plain.exit_code == 2 and plain.output.endswith("(`cinefile history` lists its versions in git: pass --to COMMIT)\n")
    undone = cli("undo", "turn", "--to", first[:7], cwd=project.root)
    assert undone.exit_code == 0 and undone.output == f"restored story/the-turn.md to commit {first[:7]} (now version 2)\n"
    assert (project.root / "story/the-turn.md").read_text() == V1
    wrong = cli("undo", "turn", "--to", "fffffff", cwd=project.root)
    assert wrong.exit_code == 2
    assert wrong.output == "cinefile: `turn` has no version in a commit `fffffff`: `cinefile history turn` lists the commits that changed it\n"


def test_without_git_history_is_the_index_alone(clone, monkeypatch, tmp_path):
    project, _ = clone
    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))
    with ProjectAPI(project) as api:
        api.sync()
        revisions = api.history("turn")
    assert [(r.version, r.commit) for r in revisions] == [(1, None)]


def test_a_commit_whose_start_is_all_digits_is_still_a_commit():
    """One short hash in about 27 is all digits (`3439383`): it names that commit unless the
    index has a version of that number."""
    from cinefile.daemon.api.history import Revision, _version

    def revision(version, commit=None):
        return Revision(version, "edit", f"2026-11-0{version + 1}", "story/turn.md", V1, None, None, commit=commit)

    revisions = [revision(0, "3439383c692beb0c51cb4bf01294a3e3c40493d7"), revision(1), revision(2)]
    assert _version(revisions, "turn", "3439383").commit.startswith("3439383")
    assert _version(revisions, "turn", "2").version == 2 and _version(revisions, "turn", "v1").version == 1
    assert _version(revisions, "turn", 2).version == 2
    with pytest.raises(UserError, match="has no version 9: its versions are 1, 2"):
        _version(revisions, "turn", "9")
    with pytest.raises(UserError, match="has no version 3439383"):
        _version(revisions, "turn", 3439383)  # a number from the LSP is a number


def test_a_version_is_named_as_it_was_read(empty, monkeypatch):
    """How the HTTP API's diff names its versions: a number for the index's, and a commit's
    start as given, even all digits (it answered 7932088, a number, for commit `7932088`)."""
    from cinefile.daemon.api.history import Revision

    revisions = [Revision(0, "commit", "2026-11-01", "story/turn.md", V1, None, None,
                          commit="7932088c692beb0c51cb4bf01294a3e3c40493d7"),
                 Revision(1, "edit", "2026-11-02", "story/turn.md", V1, None, None)]
    with ProjectAPI(empty) as api:
        monkeypatch.setattr(api, "history", lambda ref: revisions)
        assert api.version_named("turn", "7932088") == "7932088"
        assert api.version_named("turn", "1") == 1 and api.version_named("turn", "v1") == 1


def test_a_project_outside_git_has_no_commits(empty):
    write(empty.root, "story/turn.md", V1)
    with ProjectAPI(empty) as api:
        api.sync()
        assert [(r.version, r.commit) for r in api.history("turn")] == [(1, None)]


def test_the_benchmark_builds_its_repository_and_counts_versions(tmp_path, capsys, no_user_git_config):  # noqa: F811
    """benchmarks/git_history.py at a small size: it works (no timing is asserted)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    import git_history

    git_history.main(["--blocks", "60", "--commits", "40", "--repeat", "1", "--ways", "git"])
    rows = [line.split() for line in capsys.readouterr().out.splitlines() if " git " in line]
    assert [row[-2] for row in rows] == ["4", "1"]  # edited in commits 0, 10 and 30, renamed in 20; the other once
