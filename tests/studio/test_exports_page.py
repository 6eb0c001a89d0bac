"""The Export and import page: build exports and download them; import a Fountain screenplay
from an upload, previewed first, checked, and never written outside the project."""

from __future__ import annotations

from pathlib import Path

import pytest
from cinefile.daemon.api import ProjectAPI

SCREENPLAY = Path(__file__).parent.parent / "screenplays" / "the-keeper.fountain"


def block_ids(root) -> set[str]:
    with ProjectAPI.open(root) as api:
        return {block.id for block in api.blocks()}


def upload(studio, name: str, data: bytes, mime: str = "text/plain"):
    at = studio("views/exports.py")
    return at.file_uploader(key="import_upload").set_value((name, data, mime)).run()


def leftovers(root) -> list[Path]:
    """Anything an import left in exports/ (its temporary copy of the upload must be gone)."""
    exports = root / "exports"
    return sorted(exports.iterdir()) if exports.is_dir() else []


def test_exports_are_built_and_offered_for_download(studio, film):
    at = studio("views/exports.py")
    assert at.caption[0].value == "Nothing exported yet."
    at.multiselect(key="export_formats").set_value(["fountain", "shotlist"]).run()
    at.button(key="export_build").click().run()
    assert not at.exception and not at.error
    assert at.success[0].value == ("Wrote 2 files (2 changed): exports/screenplay.fountain, exports/shotlist.csv")
    assert (film / "exports/screenplay.fountain").read_text().startswith("Title:")
    downloads = {button.key: button.proto.label for button in at.get("download_button")}
    assert downloads == {"download_screenplay.fountain": "screenplay.fountain", "download_shotlist.csv": "shotlist.csv"}


def test_a_format_that_cannot_be_made_is_one_message(studio, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    at = studio("views/exports.py")
    at.multiselect(key="export_formats").set_value(["summary", "animatic"]).run()
    at.button(key="export_build").click().run()
    assert not at.exception
    [error] = at.error  # one line, the API's: what is missing and how to get it
    assert error.value.startswith("animatic: ffmpeg is not installed or not on PATH: install it")
    assert at.success[0].value == "Wrote 1 files (1 changed): exports/project_summary.md"


def test_an_import_is_previewed_then_made_on_confirm(studio, film):
    before = block_ids(film)
    at = upload(studio, "the-keeper.fountain", SCREENPLAY.read_bytes())
    assert not at.exception and not at.error
    assert at.markdown[0].value.startswith("**Preview** (nothing is written until you import): imported "
                                           "the-keeper.fountain: 2 acts, 3 beats, 6 scenes")
    preview = at.dataframe[0].value
    assert "scene" in set(preview["type"]) and "character" in set(preview["type"])
    assert block_ids(film) == before and not leftovers(film)

    at.button(key="import_confirm").click().run()
    assert not at.exception and not at.error
    assert at.success[0].value.startswith("imported the-keeper.fountain: 2 acts, 3 beats, 6 scenes")
    assert block_ids(film) == before | set(preview["id"])
    assert not leftovers(film)
    at.run()  # the same upload still in the widget: it is not imported twice
    assert "import_confirm" not in {button.key for button in at.button}
    assert at.success[0].value.startswith("the-keeper.fountain is imported")


@pytest.mark.parametrize(("name", "data", "message"), [
    ("notes.txt", b"INT. DECK - NIGHT\n", "notes.txt: not a Fountain screenplay: upload a .fountain file"),
    ("big.fountain", b"x" * (10 * 2**20 + 1), "big.fountain: 10.0 MB is too big for a screenplay (at most 10 MB)"),
])
def test_an_upload_that_is_no_screenplay_is_refused_before_it_is_written(studio, name, data, message, film):
    before = block_ids(film)
    at = upload(studio, name, data)
    assert not at.exception
    assert [e.value for e in at.error] == [message]
    assert block_ids(film) == before and not leftovers(film)


def test_a_binary_file_named_fountain_is_refused_by_the_api(studio, film):
    at = upload(studio, "photo.fountain", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "application/octet-stream")
    assert not at.exception
    [error] = at.error
    assert "a binary file, not a screenplay" in error.value
    assert not leftovers(film)
