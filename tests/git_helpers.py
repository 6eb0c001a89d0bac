"""Real git in temp folders, for the tests of history from commits and of the merge driver:
the user's own git config is kept out, each repository gets its user set locally."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest


@pytest.fixture
def no_user_git_config(monkeypatch):
    """git (ours and cinefile's) reads no global or system config: none of the user's aliases,
    hooks or pull settings take part."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def git(cwd: Path, *args: str) -> str:
    """`git ARGS` in `cwd`; its output. Fails the test with git's own words."""
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr or done.stdout}"
    return done.stdout


def as_user(repo: Path, name: str) -> None:
    git(repo, "config", "user.name", name)
    git(repo, "config", "user.email", f"{name.lower()}@example.org")


def commit_all(repo: Path, message: str) -> str:
    """Commit every change; the new commit's hash."""
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()
