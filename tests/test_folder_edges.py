"""Nothing cinefile reads or writes leaves the project folder, and only regular files are read:
a symlinked assets/, exports/ or prompt template that points elsewhere is refused, and a FIFO
named like a project file never hangs a command."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import threading

import pytest

from cinefile.daemon.api import ProjectAPI
from cinefile.daemon.errors import UserError
from cinefile.daemon.generate import GenerationError
from cinefile.daemon.generate.assets import AssetStore
from cinefile.daemon.generate.keys import Keys
from cinefile.daemon.generate.runner import DONE, FAILED
from cinefile.daemon.index.sync import sync
from cinefile.daemon.project import Project

from fake_apis import PNG
from generate_fixtures import clock, fake, generator, keys  # noqa: F401  (fixtures)

CINEFILE = [sys.executable, "-m", "cinefile"]
# Generous: a command that hangs on a FIFO fails here as a timeout, never a timed assertion.
HANG = 120


def link_out(project: Project, name: str, outside) -> None:
    """Replace the project's folder `name` with a symlink to a folder outside it."""
    outside.mkdir()
    folder = project.root / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.symlink_to(outside, target_is_directory=True)


def files_under(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def without_hanging(call):
    """call(), in a daemon thread: should it block on a FIFO, the test fails instead of hanging."""
    result: dict = {}

    def target():
        try:
            result["value"] = call()
        except BaseException as error:  # handed to the test
            result["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(HANG)
    assert not thread.is_alive(), "blocked opening a FIFO"
    if "error" in result:
        raise result["error"]
    return result["value"]


def run(project: Project, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CINEFILE, *args], cwd=project.root, capture_output=True, text=True, timeout=HANG)


# --- writing: assets/ and exports/ that lead out -------------------------------------------


def test_generation_refuses_a_symlinked_assets_folder(sample, generator, tmp_path):
    outside = tmp_path / "elsewhere"
    link_out(sample, "assets", outside)
    gen = generator(keys=Keys(None, None))  # the free mock: it stores a real still
    outcome = gen.run(gen.plan("shot-1a", "image"))
    assert outcome.status == FAILED
    assert outcome.message.startswith(f"assets/ is a symlink to {outside}, outside the project: refused, nothing "
                                      "was written; replace the link with a folder")
    assert files_under(outside) == []
    assert "assets:" not in (sample.root / "shooting/shot-1a.md").read_text()


def test_reference_import_refuses_a_symlinked_assets_folder(sample, tmp_path):
    outside = tmp_path / "elsewhere"
    link_out(sample, "assets", outside)
    with ProjectAPI.open(sample.root) as api, pytest.raises(UserError, match=r"^assets/ is a symlink to .*replace "
                                                                              r"the link with a folder"):
        api.reference_change("mara", PNG, name="mara.png")
    assert files_under(outside) == []


def test_export_refuses_a_symlinked_exports_folder(sample, tmp_path):
    outside = tmp_path / "elsewhere"
    link_out(sample, "exports", outside)
    result = run(sample, "export", "--format", "summary,storyboard")
    assert result.returncode == 2
    assert f"exports/ is a symlink to {outside}, outside the project: refused, nothing was written" in result.stderr
    assert "Traceback" not in result.stderr and files_under(outside) == []


def test_a_full_sync_says_which_reserved_folder_leads_out(sample, index_of, tmp_path):
    link_out(sample, "prompts", tmp_path / "elsewhere")
    report = sync(sample, index_of(sample))
    assert report.refused["prompts"].startswith("symlink points outside the project")
    assert report.refused["prompts"].endswith("replace the link with a folder")


# --- reading: asset files and templates that lead out -------------------------------------


def test_an_asset_file_linked_out_of_the_project_is_never_uploaded_embedded_or_used(sample, generator, fake,
                                                                                    index_of, tmp_path):
    gen = generator()
    outcome = gen.run(gen.plan("shot-1a", "image"))
    assert outcome.status == DONE
    ProjectAPI(gen.project, index=gen.index).approve(["shot-1a"])
    sha = outcome.assets[0]
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG + b"private photo of someone else")
    asset = sample.root / "assets" / f"{sha}.png"
    asset.unlink()
    asset.symlink_to(secret)  # same name, but the bytes live outside the project

    assert AssetStore(sample.root).find(sha) is None  # missing, as far as cinefile reads
    with pytest.raises(GenerationError, match=f"its approved still {sha[:12]} is missing from assets/"):
        gen.plan("shot-1a", "video")  # so it is never uploaded as the start image
    assert not any(b"private photo" in (body if isinstance(body, bytes) else str(body).encode())
                   for body in fake.bodies)

    with ProjectAPI.open(sample.root) as api:
        result = api.export(["storyboard"], embed_stills=True)
    assert not result.skipped
    page = (sample.root / "exports/storyboard.html").read_text()
    assert sha not in page and "base64" not in page  # neither linked nor embedded
    report = sync(sample, index_of(sample))
    assert report.refused[f"assets/{sha}.png"].startswith(f"symlink points outside the project ({secret})")


def test_a_prompt_template_linked_out_is_not_read(sample, generator, tmp_path):
    secret = tmp_path / "notes.md"
    secret.write_text("the password is hunter2\n")
    (sample.root / "prompts").mkdir(exist_ok=True)
    (sample.root / "prompts/shot.image.md").symlink_to(secret)
    gen = generator(keys=Keys(None, None))
    with pytest.raises(GenerationError) as raised:
        gen.plan("shot-1a", "image")
    assert str(raised.value) == (f"prompts/shot.image.md: it leads outside the project, to {secret}: not read; "
                                 "put the template itself in prompts/")


def test_an_outside_config_is_refused(sample, tmp_path):
    outside = tmp_path / "cinefile.toml"
    outside.write_text('name = "Someone else"\n')
    (sample.root / "cinefile.toml").unlink()
    (sample.root / "cinefile.toml").symlink_to(outside)
    with pytest.raises(UserError, match=r"cinefile\.toml: it leads outside the project, to .*: refused; put the "
                                        r"file itself here"):
        _ = Project(sample.root).config


# --- FIFOs, sockets and devices named like project files ------------------------------


def test_a_fifo_named_like_a_block_hangs_no_command(sample):
    os.mkfifo(sample.root / "story/fifo.md")
    os.mkfifo(sample.root / "design/.gitignore")  # read by every walk
    os.mkfifo(sample.root / "exports/storyboard.html")  # compared before it is rewritten
    (sample.root / "assets").mkdir(exist_ok=True)
    os.mkfifo(sample.root / "assets" / f"{hashlib.sha256(b'x').hexdigest()}.png")

    synced = run(sample, "sync")
    assert synced.returncode == 0, synced.stderr
    assert ("story/fifo.md: a FIFO, not a regular file; not indexed: remove it, or put a Markdown file there"
            in synced.stderr)
    assert "a FIFO, not a regular file; not used: remove it" in synced.stderr  # the one in assets/
    status = run(sample, "status")
    assert status.returncode == 0 and "fifo.md" not in status.stdout
    exported = run(sample, "export", "--format", "summary,storyboard")
    assert exported.returncode == 0, exported.stderr
    assert (sample.root / "exports/storyboard.html").is_file()  # the FIFO was replaced, not read


def test_a_scoped_sync_as_the_watcher_runs_it_does_not_open_a_fifo(sample):
    os.mkfifo(sample.root / "story/fifo.md")
    code = ("import sys; from cinefile.daemon.project import Project; "
            "from cinefile.daemon.index.sync import open_index, sync; from pathlib import Path; "
            "p = Project(Path(sys.argv[1])); "
            "print(sync(p, open_index(p), scope=['story/fifo.md', 'story']).refused)")
    result = subprocess.run([sys.executable, "-c", code, str(sample.root)], capture_output=True, text=True, timeout=HANG)
    assert result.returncode == 0, result.stderr
    assert "story/fifo.md': 'a FIFO, not a regular file" in result.stdout


def test_a_fifo_read_between_walk_and_read_is_an_unreadable_block_not_a_hang(tmp_path):
    from cinefile.daemon.index.read import BLOCK_COLUMNS, read_file
    from cinefile.daemon.index.walk import FileStat

    os.mkfifo(tmp_path / "scene.md")  # the walk saw a file; a FIFO took its place since
    read = without_hanging(lambda: read_file(tmp_path, "scene.md", FileStat(0, 10)))
    problems = read.values[BLOCK_COLUMNS.index("problems")]
    assert not read.readable and "a FIFO, not a regular file" in problems


def test_a_prompt_template_that_is_a_fifo_is_refused(sample, generator):
    (sample.root / "prompts").mkdir(exist_ok=True)
    os.mkfifo(sample.root / "prompts/shot.image.md")
    gen = generator(keys=Keys(None, None))
    with pytest.raises(GenerationError, match=r"^prompts/shot\.image\.md: a FIFO, not a regular file: not read"):
        without_hanging(lambda: gen.plan("shot-1a", "image"))
