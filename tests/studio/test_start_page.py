"""The start page: shown while the folder holds no project; makes one (empty or the sample
film) or opens a recent one, then the phases appear."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from . import APP, TIMEOUT


def start(folder: Path, serve) -> AppTest:
    folder.mkdir(parents=True, exist_ok=True)
    serve(folder)
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    return at


def test_an_empty_folder_offers_to_start_a_film(tmp_path, serve):
    at = start(tmp_path / "films", serve)
    assert at.title[0].value == "cinefile studio"
    assert "holds no cinefile project yet" in at.markdown[0].value
    assert {b.key for b in at.button} >= {"create_empty", "create_sample"}
    assert "None yet" in at.caption[0].value


def test_create_the_sample_film_here_and_the_phases_appear(tmp_path, serve):
    folder = tmp_path / "films"
    at = start(folder, serve)
    at.button(key="create_sample").click().run()
    assert not at.exception
    assert (folder / "cinefile.toml").exists() and (folder / "story/scene-1.md").exists()
    assert at.title[0].value == "Story" and at.sidebar.header[0].value == "Night Ferry"
    recent = json.loads((tmp_path / "config/cinefile/recent.json").read_text())
    assert recent == [str(folder.resolve())]


def test_create_an_empty_project_in_a_new_folder_inside(tmp_path, serve):
    folder = tmp_path / "films"
    at = start(folder, serve)
    at.text_input(key="new_folder").set_value("the-crossing").run()
    at.text_input(key="project_name").set_value("The Crossing").run()
    at.button(key="create_empty").click().run()
    assert not at.exception
    assert 'name = "The Crossing"' in (folder / "the-crossing/cinefile.toml").read_text()
    assert at.title[0].value == "Story" and at.sidebar.header[0].value == "The Crossing"
    assert "No blocks yet" in "\n".join(m.value for m in at.markdown)


def test_a_folder_outside_is_refused_in_one_line(tmp_path, serve):
    folder = tmp_path / "films"
    at = start(folder, serve)
    at.text_input(key="new_folder").set_value("../elsewhere").run()
    at.button(key="create_empty").click().run()
    assert not at.exception
    assert len(at.error) == 1 and "give a folder name inside" in at.error[0].value
    assert not (tmp_path / "elsewhere").exists()


def test_the_sample_is_refused_where_markdown_files_are_already(tmp_path, serve):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "todo.md").write_text("# things\n")
    at = start(folder, serve)
    at.button(key="create_sample").click().run()
    assert not at.exception
    assert len(at.error) == 1 and "already holds .md files" in at.error[0].value
    assert not (folder / "cinefile.toml").exists()


def test_open_a_recent_project(tmp_path, serve, film):
    config = tmp_path / "config/cinefile"
    config.mkdir(parents=True)
    gone = tmp_path / "gone"
    (config / "recent.json").write_text(json.dumps([str(film), str(gone), 42]))
    at = start(tmp_path / "empty", serve)
    recent = [b for b in at.button if b.key.startswith("open_recent_")]
    assert len(recent) == 1 and str(film) in recent[0].label  # a folder gone, or not a path, is left out
    recent[0].click().run()
    assert not at.exception
    assert at.title[0].value == "Story" and at.sidebar.header[0].value == "Night Ferry"
    assert "`scene-1`" in "\n".join(m.value for m in at.markdown)
