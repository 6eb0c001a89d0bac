"""Fixtures of the studio's tests: a copy of the sample film in tmp_path, the studio run on
it through AppTest, and an environment with no API keys and a config dir of its own."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import pytest
from streamlit.testing.v1 import AppTest

from cinefile.daemon.api.scaffold import init_project
from cinefile.daemon.generate.keys import ENV_NAMES
from cinefile.studio.context import ROOT_VARIABLE, forget_project

from . import APP, TIMEOUT


@pytest.fixture(scope="session")
def sample_template(tmp_path_factory) -> Path:
    """The sample film, made once: each test copies it (with its index) instead of init."""
    return init_project(tmp_path_factory.mktemp("template") / "night-ferry", sample=True).root


@pytest.fixture
def film(sample_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "night-ferry"
    shutil.copytree(sample_template, target)  # copy2 keeps mtimes: the index stays valid
    return target


@pytest.fixture(autouse=True)
def studio_env(tmp_path: Path, monkeypatch):
    """No keys from the environment (generation runs the mock), recent projects kept in a
    config dir of the test's own; every project the test opened is closed after it."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for names in ENV_NAMES.values():
        for name in names:
            monkeypatch.delenv(name, raising=False)
    yield
    forget_project()  # stops each shared project's watcher, closes its index


@pytest.fixture
def serve(monkeypatch) -> Callable[[Path], None]:
    """Point the studio at a folder, as `cinefile studio DIR` does."""
    return lambda folder: monkeypatch.setenv(ROOT_VARIABLE, str(folder))


@pytest.fixture
def studio(film: Path, serve) -> Callable[..., AppTest]:
    """A new browser session of the studio on the sample film, on `page` when given."""
    serve(film)

    def open_session(page: str | None = None) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
        at.run()
        if page is not None:
            at.switch_page(page).run()
        assert not at.exception, at.exception
        return at

    return open_session


@pytest.fixture
def live_api(studio):
    """The project API the studio shares across sessions (open a session first)."""
    from cinefile.studio.context import live_project_at

    def get(folder: Path):
        return live_project_at(folder).api

    return get
