"""Running the `git` command.

The command rather than a library: listing a file's versions the way `git log --follow`
does (through renames, with merges) is what git itself does fastest, and pygit2 and dulwich
would have to walk and diff every commit in Python to follow a rename (measured in
benchmarks/git_history.py; figures in docs/teams.md). Every project under git has git.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

# Read-only work must not take git's index lock from under a person's own git command, nor
# ever wait for a password.
_ENV = {"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


def git_path() -> str | None:
    """The git executable, or None when git is not installed."""
    return shutil.which("git")


def run_git(cwd: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes] | None:
    """`git ARGS` in `cwd`; None when git is not installed or could not be started."""
    git = git_path()
    if git is None:
        return None
    try:
        return subprocess.run([git, *args], cwd=cwd, input=stdin, capture_output=True, env=os.environ | _ENV, check=False)
    except OSError:
        return None


def repo_prefix(folder: Path) -> str | None:
    """Where `folder` is inside its git work tree (`""` at its top, else `films/night/`), or
    None when it is in none (or git is missing)."""
    found = run_git(folder, "rev-parse", "--is-inside-work-tree", "--show-prefix")
    if found is None or found.returncode != 0:
        return None
    lines = found.stdout.decode("utf-8", "replace").splitlines()
    if not lines or lines[0] != "true":
        return None
    return lines[1] if len(lines) > 1 else ""
