"""Setting a repository up for the merge driver: `.gitattributes` (committed, so every clone
routes block files to it) and the driver's command in the repository's own config (not
committed: git runs no command a clone did not choose, so each clone runs `cinefile git-setup`).
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from ..atomic import write_atomic
from ..errors import UserError
from ..inside import read_regular
from .command import repo_prefix, run_git

ATTRIBUTES = ".gitattributes"
ATTRIBUTE_LINE = "*.md merge=cinefile"
DRIVER_NAME = "cinefile: block files merged field by field"


def driver_command() -> str:
    """The command git runs, with the Python that runs cinefile now: a merge started from an
    editor or a git GUI finds it without cinefile on its PATH."""
    return f"{shlex.quote(sys.executable)} -m cinefile.daemon.git.driver %O %A %B %L %P"


def with_attribute(text: str) -> str:
    """A .gitattributes text that routes block files to the driver (unchanged when it does)."""
    if any(line.split() == ATTRIBUTE_LINE.split() for line in text.splitlines()):
        return text
    note = "# Block files are merged field by field by cinefile (`cinefile git-setup` in each clone).\n"
    return (text.rstrip("\n") + "\n\n" if text.strip() else "") + note + ATTRIBUTE_LINE + "\n"


@dataclass(frozen=True)
class GitSetup:
    attributes_written: bool  # False when .gitattributes already had the line
    configured: bool  # False outside a git repository (or without git): only .gitattributes was written

    @property
    def message(self) -> str:
        attributes = f"{'wrote' if self.attributes_written else 'kept'} {ATTRIBUTES} ({ATTRIBUTE_LINE})"
        if not self.configured:
            return f"{attributes}; not in a git repository: after `git init` (or in a clone), run `cinefile git-setup`"
        return f"{attributes}; set merge.cinefile.driver in this repository's config"

    def to_json(self) -> dict:
        return {"attributes_written": self.attributes_written, "configured": self.configured, "message": self.message}


def set_up(root: Path) -> GitSetup:
    """Route the project's block files to the merge driver, and configure the driver when the
    project is in a git repository. Safe to run again."""
    path = root / ATTRIBUTES
    try:
        before = read_regular(path, root).decode("utf-8", "replace") if path.exists() else ""
    except OSError as error:
        raise UserError(f"{path}: cannot read it ({error.strerror or error}): make it a regular file in the project") from None
    text = with_attribute(before)
    if text != before:
        write_atomic(path, text)
    configured = repo_prefix(root) is not None and all(
        _config(root, key, value) for key, value in (("merge.cinefile.name", DRIVER_NAME), ("merge.cinefile.driver", driver_command())))
    return GitSetup(text != before, configured)


def _config(root: Path, key: str, value: str) -> bool:
    done = run_git(root, "config", "--local", key, value)
    return done is not None and done.returncode == 0
