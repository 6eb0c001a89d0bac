"""A block's versions in git, beside the ones in the index: `project.db` is not committed, so
on a fresh clone the commits are the only record of what came before.

A version from git is a `Revision` with its `commit` (and version 0: the index numbers only
the versions it saw). Without git, or outside a repository, there are none.
"""

from __future__ import annotations

import re

from ..errors import UserError
from ..git.versions import file_versions
from .history import Revision

_COMMIT = re.compile(r"^[0-9a-f]{4,40}$")


def with_git_versions(root, revisions: list[Revision], path: str | None) -> list[Revision]:
    """`revisions` (the index's, oldest first) with the file's committed versions, all in time
    order; those of a commit and a sync at the same moment, commit first."""
    if path is None or not path.endswith(".md"):
        return revisions
    from_git: list[Revision] = []
    previous = None
    for version in file_versions(root, path):
        moved_from = previous.path if previous is not None and previous.path != version.path else None
        from_git.append(Revision(0, "commit" if version.text is not None else "delete", version.date, version.path,
                                 version.text, previous.text if previous is not None else None, moved_from,
                                 how="commit", by=version.author, commit=version.commit, subject=version.subject))
        previous = version
    return sorted(from_git + revisions, key=lambda revision: revision.timestamp)  # stable: commits stay first


def by_commit(revisions: list[Revision], ref: str, commit: str) -> Revision:
    """The version of `ref` in the commit named by `commit` (its hash, or the start of it)."""
    wanted = commit.lower()
    if not _COMMIT.match(wanted):
        raise UserError(f"`{commit}` is neither a version number nor a commit: pick one from `cinefile history {ref}`")
    matching = [r for r in revisions if r.commit is not None and r.commit.startswith(wanted)]
    if not matching:
        raise UserError(f"`{ref}` has no version in a commit `{commit}`: `cinefile history {ref}` lists the commits that changed it")
    if len({r.commit for r in matching}) > 1:
        raise UserError(f"`{commit}` is the start of more than one commit of `{ref}`: give more of it")
    return matching[-1]

