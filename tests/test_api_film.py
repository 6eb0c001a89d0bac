"""The project API's exports and import (daemon/api/film.py): one function each, with the
rules every front end shares. The command line and the language server are tested on the
same rules in test_exports_golden.py, test_fountain_import.py and lsp/test_export_command.py."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from cinefile.daemon.api import ProjectAPI, WriteConflict
from cinefile.daemon.api.scaffold import init_project
from cinefile.daemon.errors import UserError
from cinefile.daemon.exports import FORMAT_NAMES

SCREENPLAY = Path(__file__).parent / "screenplays" / "the-keeper.fountain"
TEXT_FORMATS = ["summary", "json", "fountain", "fdx", "shotlist", "breakdown", "storyboard"]


@pytest.fixture
def api(sample):
    with ProjectAPI(sample) as opened:
        yield opened


def test_the_formats_are_listed_with_what_they_are_in_the_order_written(api):
    formats = api.export_formats()
    assert [f.name for f in formats] == list(FORMAT_NAMES[:-1])
    assert all(f.description and f.files for f in formats)
    by_name = {f.name: f.to_json() for f in formats}
    assert by_name["breakdown"]["files"] == ["breakdown.md", "breakdown.csv"]
    assert by_name["animatic"]["needs"] == "ffmpeg" and by_name["fountain"]["needs"] == ""


def test_export_says_which_files_changed(api, sample):
    first = api.export()
    assert first.formats == ["summary", "json"]
    assert [(f.path, f.format, f.changed) for f in first.files] == [
        ("exports/project_summary.md", "summary", True), ("exports/project.json", "json", True)]
    stamps = {p.name: p.stat().st_mtime_ns for p in sample.exports.iterdir()}
    again = api.export(["summary", "json"])
    assert [f.changed for f in again.files] == [False, False] and again.changed == []
    assert {p.name: p.stat().st_mtime_ns for p in sample.exports.iterdir()} == stamps
    (sample.root / "design/mara.md").write_text((sample.root / "design/mara.md").read_text() + "\nShe hums.\n")
    third = api.export()  # the export syncs first: it sees the edit
    assert [f.path for f in third.changed] == ["exports/project_summary.md", "exports/project.json"]
    assert third.to_json()["changed"] == ["exports/project_summary.md", "exports/project.json"]


def test_format_names_take_commas_and_all_and_come_out_in_a_fixed_order(api):
    assert api.export(["storyboard,fountain", "json"]).formats == ["json", "fountain", "storyboard"]
    assert api.export(["all"]).formats[:7] == TEXT_FORMATS


def test_an_unknown_format_suggests_the_closest_and_writes_nothing(api, sample):
    with pytest.raises(UserError, match=r"unknown export format `fontain` \(did you mean `fountain`\?\); use one of "
                                        r"summary, json, fountain, fdx, shotlist, breakdown, storyboard, "
                                        r"storyboard-pdf, lookbook, animatic, all$"):
        api.export(["summary", "fontain"])
    assert not list(sample.exports.iterdir())


def test_a_format_that_cannot_be_made_is_skipped_with_its_reason(api, sample, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no ffmpeg
    result = api.export(["all"])
    assert [f.format for f in result.files] == ["summary", "json", "fountain", "fdx", "shotlist", "breakdown",
                                                "breakdown", "storyboard", "storyboard-pdf", "lookbook"]
    (skipped,) = result.skipped
    assert skipped.format == "animatic" and skipped.reason.startswith("animatic: ffmpeg is not installed")
    assert result.to_json()["skipped"] == [{"format": "animatic", "reason": skipped.reason}]
    assert not (sample.exports / "animatic.mp4").exists()


def test_locking_scene_numbers_goes_through_the_guarded_write(api, sample):
    """Each scene's number is written into it by `apply`: the version replaced is in history,
    and the screenplay shows the numbers."""
    result = api.export(["fountain"], lock_scene_numbers=True)
    assert result.locked == ["story/scene-1.md", "story/scene-2.md"]
    assert "scene_number: '2'" in (sample.root / "story/scene-2.md").read_text()
    row = api.index.block("scene-2")
    versions = api.index.query("SELECT version FROM history WHERE block_id = ? ORDER BY id", [row["id"]])
    assert [v["version"] for v in versions][-2:] == [row["version"] - 1, row["version"]]
    assert "INT. WHEELHOUSE - NIGHT #2#" in (sample.exports / "screenplay.fountain").read_text()
    assert api.export(["fountain"], lock_scene_numbers=True).locked == []  # nothing left to lock


def test_locking_refuses_a_file_that_changed_since_it_was_read(api, sample):
    """The change is computed from the text the caller has; when the file is no longer that
    text, nothing is written and no export is made."""
    scene = sample.root / "story/scene-1.md"
    before = scene.read_text()
    assert "Rain" in before

    def stale(path: str) -> str:  # what the caller read before someone else's edit
        return (sample.root / path).read_text().replace("Rain", "Snow")

    with pytest.raises(WriteConflict, match="story/scene-1.md: changed on disk since it was read"):
        api.export(["fountain"], lock_scene_numbers=True, text_of=stale)
    assert scene.read_text() == before and "scene_number" not in (sample.root / "story/scene-2.md").read_text()
    assert not (sample.exports / "screenplay.fountain").exists()


def test_locked_numbers_can_go_to_an_editor_instead(api, sample):
    """A front end with buffers (the language server) reads and writes the changes itself;
    the screenplay numbers its scenes all the same."""
    sent = []
    result = api.export(["fountain"], lock_scene_numbers=True, write=sent.append)
    assert [[c.path for c in changes] for changes in sent] == [["story/scene-1.md", "story/scene-2.md"]]
    assert all("scene_number:" in c.new_text and c.old_text == (sample.root / c.path).read_text() for c in sent[0])
    assert "scene_number" not in (sample.root / "story/scene-1.md").read_text()
    assert result.locked == ["story/scene-1.md", "story/scene-2.md"]
    assert "EXT. FERRY CAR DECK - NIGHT #1#" in (sample.exports / "screenplay.fountain").read_text()


def test_progress_names_each_step(api, sample):
    (sample.root / "design/mara.md").write_text((sample.root / "design/mara.md").read_text() + "\nShe hums.\n")
    steps = []
    api.export(["fountain", "json"], lock_scene_numbers=True, progress=lambda *step: steps.append(step))
    assert list(dict.fromkeys(step for step, _, _ in steps)) == ["sync", "lock", "json", "fountain"]
    assert ("fountain", 0, 1) in steps and steps[-1] == ("fountain", 1, 1)


def test_a_cancel_before_a_format_stops_the_export(api, sample):
    cancel = threading.Event()

    def cancel_after_json(step, done, total):
        if step == "json" and done == total:
            cancel.set()

    result = api.export(["summary", "json", "fountain"], progress=cancel_after_json, cancel=cancel)
    assert result.cancelled and [f.format for f in result.files] == ["summary", "json"]
    assert not (sample.exports / "screenplay.fountain").exists()


@pytest.mark.skipif(not shutil.which("ffmpeg"), reason="ffmpeg is not installed (.ci/debian-packages has it)")
def test_a_cancel_stops_the_animatic_while_it_encodes(api, sample):
    cancel = threading.Event()

    def cancel_once_encoding(step, done, total):
        if step == "animatic" and total and done > 0:  # ffmpeg has reported encoding
            cancel.set()

    result = api.export(["animatic"], progress=cancel_once_encoding, cancel=cancel)
    assert result.cancelled and result.files == [] and result.skipped == []
    assert not (sample.exports / "animatic.mp4").exists()


def test_import_dry_run_gives_the_plan_and_writes_nothing(tmp_path):
    project = init_project(tmp_path / "keeper", name="The Keeper")
    with ProjectAPI(project) as api:
        report = api.import_fountain(SCREENPLAY, dry_run=True)
    plan = report.to_json()
    assert plan["dry_run"] is True and plan["source"] == "the-keeper.fountain"
    assert {"id": "scene-6", "type": "scene", "path": "story/scene-6.md"} in plan["created"]
    assert {"id": "berit", "type": "character", "path": "design/berit.md"} in plan["created"]
    assert plan["title_page_note"] == "title page would be added to cinefile.toml"
    assert plan["title_page"]["author"] == "Ada Lindqvist"
    assert not list(project.root.rglob("*.md")) and "title_page" not in (project.root / "cinefile.toml").read_text()
    json.dumps(plan)  # plain values only


def test_import_writes_new_files_through_the_guarded_write(tmp_path):
    project = init_project(tmp_path / "keeper", name="The Keeper")
    with ProjectAPI(project) as api:
        report = api.import_fountain(SCREENPLAY)
        assert {b.path for b in report.created} == {r["path"] for r in api.index.blocks()}
        assert api.index.block("scene-4")["parent_key"] == "beat-2"
    assert "[title_page]" in (project.root / "cinefile.toml").read_text()


def test_import_refuses_a_file_that_appeared_after_the_plan(tmp_path):
    """A new file is written only if nothing is there by then: no block file is written,
    nor the title page."""
    project = init_project(tmp_path / "keeper", name="The Keeper")
    config = (project.root / "cinefile.toml").read_text()

    class SomeoneWritesFirst(ProjectAPI):
        def apply(self, changes, *, force=False):
            (self.root / "story/scene-3.md").write_text("---\ntype: scene\n---\nMine.\n")
            return super().apply(changes, force=force)

    with SomeoneWritesFirst(project) as api, pytest.raises(WriteConflict, match="story/scene-3.md: already exists"):
        api.import_fountain(SCREENPLAY)
    assert [p.name for p in project.root.rglob("*.md")] == ["scene-3.md"]
    assert (project.root / "story/scene-3.md").read_text().endswith("Mine.\n")
    assert (project.root / "cinefile.toml").read_text() == config


def test_import_takes_a_path_relative_to_the_project(tmp_path):
    project = init_project(tmp_path / "keeper")
    shutil.copy(SCREENPLAY, project.root / "script.fountain")
    with ProjectAPI(project) as api:
        assert len(api.import_fountain("script.fountain", dry_run=True).created) == 18


@pytest.mark.parametrize("make, message", [
    (lambda path: path.mkdir(), "is a folder: give the path of a .fountain screenplay"),
    (lambda path: None, "no such file: give the path of a .fountain screenplay"),
    (lambda path: path.write_bytes(b"INT. HALL\xff - DAY\n"), "not UTF-8 text: save the screenplay as UTF-8"),
    (lambda path: path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "a binary file, not a screenplay"),
    (lambda path: path.write_bytes("INT. HALL - DAY\n".encode("utf-16")), "not UTF-8 text"),
    (lambda path: _sparse(path, 11 * 2**20), "11 MB is too big for a screenplay (at most 10 MB)"),
])
def test_import_input_that_is_no_screenplay_is_one_line(tmp_path, make, message):
    project = init_project(tmp_path / "film")
    script = tmp_path / "script.fountain"
    make(script)
    with ProjectAPI(project) as api, pytest.raises(UserError) as error:
        api.import_fountain(script)
    assert message in str(error.value) and str(script) in str(error.value) and "\n" not in str(error.value)
    assert not list(project.root.rglob("*.md"))


def _sparse(path: Path, size: int) -> None:
    with open(path, "wb") as handle:
        handle.truncate(size)


def test_a_byte_order_mark_is_not_part_of_the_title_page(tmp_path):
    project = init_project(tmp_path / "film")
    script = tmp_path / "bom.fountain"
    script.write_bytes("\ufeffTitle: With A Mark\n\nINT. HALL - DAY\n\nANNA\nHello.\n".encode("utf-8"))
    with ProjectAPI(project) as api:
        assert api.import_fountain(script, dry_run=True).title_page == {"title": "With A Mark"}
