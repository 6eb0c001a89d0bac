"""Shared fixtures: real film projects in temp folders, a real index, the real CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cinefile.daemon.api.scaffold import init_project
from cinefile.daemon.index.sync import open_index
from cinefile.daemon.project import Project
from typer.testing import CliRunner

PROJECTS = Path(__file__).parent / "projects"


@pytest.fixture
def sample(tmp_path: Path) -> Project:
    """The sample short film, as `cinefile init --sample` writes it."""
    return init_project(tmp_path / "night-ferry", sample=True)


@pytest.fixture
def make_project(tmp_path: Path):
    """Copy a test project from tests/projects/NAME into a temp folder."""

    def make(name: str) -> Project:
        target = tmp_path / name
        shutil.copytree(PROJECTS / name, target)
        return Project(target)

    return make


@pytest.fixture
def index_of():
    opened = []

    def open_for(project: Project):
        index = open_index(project)
        opened.append(index)
        return index

    yield open_for
    for index in opened:
        index.close()


@pytest.fixture
def cli(monkeypatch):
    """Run `cinefile ARGS` in a folder through typer's CliRunner."""
    from cinefile.cli.app import app

    runner = CliRunner()

    def run(*args: str, cwd: Path | None = None):
        if cwd is not None:
            monkeypatch.chdir(cwd)
        return runner.invoke(app, list(args), catch_exceptions=False)

    return run


def write(root: Path, rel: str, text: str | bytes) -> Path:
    """Write a file the way a user's editor would (plain write, folders made)."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def block_text(type_: str, body: str = "", **fields) -> str:
    import yaml

    front = yaml.safe_dump({"type": type_, **fields}, sort_keys=False).strip()
    return f"---\n{front}\n---\n{body}"


@pytest.fixture
def empty(tmp_path: Path) -> Project:
    """A fresh project with no blocks."""
    return init_project(tmp_path / "film")
