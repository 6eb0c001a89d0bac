"""The versions of one file in git's history, following it across renames.

`project.db` is not committed, so a fresh clone starts its history anew; the commits still
hold every version anyone committed. Two git commands: `git log --follow` for the commits that
changed the file (merges compared with their first parent, so a merge that combined both
sides counts), and one `git cat-file --batch` for all their texts.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from .command import repo_prefix, run_git

_RECORD, _FIELD = "\x1e", "\x1f"
_FORMAT = f"--format={_RECORD}%H{_FIELD}%P{_FIELD}%an{_FIELD}%aI{_FIELD}%s"


@dataclass(frozen=True)
class GitVersion:
    commit: str
    author: str
    date: str  # the author's date, in UTC, written as the index writes its timestamps
    subject: str
    path: str  # the file's path at that commit, relative to the project root
    text: str | None  # None when that commit deleted it


@dataclass(frozen=True)
class _Change:
    commit: str
    merge: bool
    author: str
    date: str
    subject: str
    path: str  # from the top of the repository
    deleted: bool


def file_versions(root: Path, path: str) -> list[GitVersion]:
    """Every committed version of `path` (relative to the project root `root`), oldest first;
    empty when the project is not under git, git is missing, or the file was never committed."""
    prefix = repo_prefix(root)
    if prefix is None:
        return []
    changes = _log(root, path)
    changes = [change for change in changes if change.path.startswith(prefix)]  # moved in from outside: not ours
    if not changes:
        return []
    texts = _texts(root, [f"{c.commit}:{c.path}" for c in changes if not c.deleted])
    versions: list[GitVersion] = []
    seen: set[str] = set()
    for change in reversed(changes):
        text = None if change.deleted else texts.get(f"{change.commit}:{change.path}")
        if not change.deleted and text is None:
            continue  # not text (a binary file), or gone from the object store
        if change.merge and text in seen:
            continue  # a merge that brought in a version already listed
        seen.add(text)
        versions.append(GitVersion(change.commit, change.author, change.date, change.subject, change.path[len(prefix):], text))
    return versions


def _log(root: Path, path: str) -> list[_Change]:
    found = run_git(root, "--literal-pathspecs", "log", "--follow", "--diff-merges=first-parent", "--name-status", "-z", _FORMAT, "--", path)
    if found is None or found.returncode != 0:
        return []
    changes = []
    for record in found.stdout.decode("utf-8", "replace").split(_RECORD)[1:]:
        header, _, status = record.partition("\0")
        commit, parents, author, date, subject = header.split(_FIELD, 4)
        fields = [item for item in status.lstrip("\n").split("\0") if item]
        if not fields:
            continue  # no change to the file in this commit (git lists some merges so)
        # `M path`, `A path`, `D path`, or `R100 old new` (the path here is the new one).
        letter, where = fields[0][:1], fields[-1]
        changes.append(_Change(commit, " " in parents.strip(), author, _utc(date), subject, where, letter == "D"))
    return changes


def _utc(date: str) -> str:
    try:
        moment = datetime.datetime.fromisoformat(date)
    except ValueError:
        return date
    return moment.astimezone(datetime.timezone.utc).isoformat(timespec="milliseconds")


def _texts(root: Path, names: list[str]) -> dict[str, str]:
    """The text of each `commit:path`, read in one `git cat-file --batch`."""
    if not names:
        return {}
    found = run_git(root, "cat-file", "--batch", stdin="".join(name + "\n" for name in names).encode("utf-8"))
    if found is None or found.returncode != 0:
        return {}
    out, at, texts = found.stdout, 0, {}
    for name in names:
        end = out.index(b"\n", at)
        header = out[at:end].split(b" ")
        at = end + 1
        if len(header) != 3 or header[1] != b"blob":  # `<name> missing`, or not a file
            continue
        size = int(header[2])
        data, at = out[at : at + size], at + size + 1
        try:
            texts[name] = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
    return texts
