"""`cinefile.export` and `cinefile.import` from the editor: the project API's `export` and
`import_fountain`, with the same formats, options and messages as the command line, work-done
progress, scene numbers locked through an edit the editor applies, and cancellation."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.uris import from_fs_path

from .conftest import until

SCREENPLAY = Path(__file__).parents[1] / "screenplays" / "the-keeper.fountain"


def run(client, command: str, *arguments):
    return client.workspace_execute_command_async(types.ExecuteCommandParams(command=command, arguments=list(arguments)))


def new_tokens(client, seen: set) -> list:
    return [token for token in client.progress_reports if token not in seen]


async def test_import_and_export_are_advertised(client):
    advertised = set(client.server_capabilities.execute_command_provider.commands)
    assert {"cinefile.export", "cinefile.import"} <= advertised


async def test_export_writes_the_formats_named_with_progress(client):
    seen = set(client.progress_reports)
    result = await run(client, "cinefile.export", "fountain", "shotlist")
    assert result["formats"] == ["fountain", "shotlist"]
    assert result["written"] == ["exports/screenplay.fountain", "exports/shotlist.csv"]
    assert result["skipped"] == [] and result["cancelled"] is False
    assert "INT. WHEELHOUSE - NIGHT" in (client.root / "exports/screenplay.fountain").read_text()
    (token,) = new_tokens(client, seen)
    reports = client.progress_reports[token]
    assert reports[0].title == "Exporting" and reports[-1].message == "done"
    assert {r.message for r in reports[1:-1]} >= {"fountain", "shotlist"}
    again = await run(client, "cinefile.export", {"formats": ["fountain"]})
    assert again["files"] == [{"path": "exports/screenplay.fountain", "format": "fountain", "changed": False}]


async def test_locked_scene_numbers_come_as_an_edit_and_show_in_the_screenplay(client):
    before = len(client.applied_edits)
    result = await run(client, "cinefile.export", {"formats": ["fountain"], "lock_scene_numbers": True})
    assert result["locked"] == ["story/scene-1.md", "story/scene-2.md"]
    assert len(client.applied_edits) == before + 1  # one edit, which the editor applied and saved
    assert "scene_number: '2'" in (client.root / "story/scene-2.md").read_text()
    assert "INT. WHEELHOUSE - NIGHT #2#" in (client.root / "exports/screenplay.fountain").read_text()


async def test_wrong_arguments_are_one_line(client):
    with pytest.raises(Exception, match=r"unknown export format `fontain` \(did you mean `fountain`\?\)"):
        await run(client, "cinefile.export", "fontain")
    with pytest.raises(Exception, match="unknown export option `scene_number`"):
        await run(client, "cinefile.export", {"scene_number": True})
    with pytest.raises(Exception, match="export option `embed_stills`: expected true or false"):
        await run(client, "cinefile.export", {"embed_stills": "yes"})


async def test_a_format_that_cannot_be_made_is_reported_and_the_others_written(client):
    """A storyboard and an animatic in a project with no shots: the storyboard is written,
    the animatic says what to add, in the result and in a message to the user."""
    shots = sorted((client.root / "shooting").glob("shot-*.md"))
    kept = {path: path.read_text() for path in shots}
    for path in shots:
        path.unlink()
    try:
        result = await run(client, "cinefile.export", {"formats": ["storyboard", "animatic"]})
    finally:
        for path, text in kept.items():
            path.write_text(text)
    assert result["written"] == ["exports/storyboard.html"]
    assert result["skipped"] == [{"format": "animatic", "reason": "animatic: the project has no shots: add shot "
                                                                  "blocks (type: shot) with a `duration`"}]
    await until(lambda: any("the project has no shots" in m.message for m in client.messages), what="the message")


@pytest.mark.skipif(not shutil.which("ffmpeg"), reason="ffmpeg is not installed (.ci/debian-packages has it)")
async def test_cancelling_stops_the_animatic(client):
    """Cancel from the progress notification once the animatic starts: the command answers
    cancelled and no animatic is written. Forty shots of ten seconds keep ffmpeg busy long
    after the cancel arrives."""
    for n in range(40):
        (client.root / f"shooting/long-{n:02d}.md").write_text(
            f"---\ntype: shot\ntitle: Long {n}\nparent: scene-2\nduration: 10\n---\nThe sea.\n")
    seen = set(client.progress_reports)
    task = asyncio.ensure_future(run(client, "cinefile.export", "animatic"))
    token = await until(lambda: next(iter(new_tokens(client, seen)), None), what="progress to begin")
    await until(lambda: any(getattr(r, "message", None) == "animatic" for r in client.progress_reports[token]),
                what="the animatic to start")
    client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    result = await task
    assert result["cancelled"] is True and result["written"] == []
    assert client.progress_reports[token][-1].message == "cancelled"
    assert not (client.root / "exports/animatic.mp4").exists()
    for n in range(40):
        (client.root / f"shooting/long-{n:02d}.md").unlink()


async def test_import_dry_run_returns_the_plan(client):
    result = await run(client, "cinefile.import", str(SCREENPLAY), {"dry_run": True})
    assert result["dry_run"] is True and result["source"] == "the-keeper.fountain"
    assert {"id": "jonas", "type": "character", "path": "design/jonas.md"} in result["created"]
    assert result["title_page_note"] == "title page would be added to cinefile.toml"
    assert not (client.root / "design/jonas.md").exists()


async def test_import_creates_the_blocks_and_the_server_knows_them(client):
    result = await run(client, "cinefile.import", from_fs_path(str(SCREENPLAY)))
    assert result["dry_run"] is False and result["summary"].startswith("imported the-keeper.fountain:")
    created = {block["path"] for block in result["created"]}
    assert "design/jonas.md" in created and all((client.root / path).is_file() for path in created)
    found = await client.workspace_symbol_async(types.WorkspaceSymbolParams(query="lighthouse kitchen"))
    assert "Lighthouse - Kitchen" in [symbol.name for symbol in found]


async def test_import_of_something_that_is_no_screenplay_is_one_line(client, tmp_path):
    with pytest.raises(Exception, match=r"is a folder: give the path of a \.fountain screenplay"):
        await run(client, "cinefile.import", str(tmp_path))
    with pytest.raises(Exception, match="expected the path of a .fountain screenplay"):
        await run(client, "cinefile.import")
    with pytest.raises(Exception, match="expected options such as"):
        await run(client, "cinefile.import", str(SCREENPLAY), {"dryrun": True})
