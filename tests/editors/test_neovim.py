"""Neovim with editors/neovim/cinefile.lua, for real: headless Neovim (0.7, as Debian ships it) on
the sample film, driven by probes/neovim_probe.lua against the real `cinefile lsp`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from editor_harness import PROBES, REPO, editor_env, night_ferry, stale_entry_line  # noqa: F401  (a fixture)

CONFIG = REPO / "editors" / "neovim" / "cinefile.lua"
NVIM = shutil.which("nvim")

pytestmark = pytest.mark.skipif(NVIM is None, reason="needs Neovim: `apt-get install neovim` (CI installs .ci/debian-packages)")


def run_probe(tmp_path: Path, block: Path, wait_for: str, *, server_cmd: list[str] | None = None) -> dict:
    """Open `block` in headless Neovim with our config; the probe reports what it saw as JSON."""
    out = tmp_path / "probe.json"
    home = tmp_path / "home"
    env = editor_env(home, CINEFILE_PROBE_FILE=str(block), CINEFILE_PROBE_OUT=str(out),
                     CINEFILE_PROBE_TIMEOUT="20000", CINEFILE_PROBE_WAIT_FOR=wait_for)
    # g:cinefile_cmd is the user's override; by default the config runs `cinefile lsp` from PATH.
    override = ["--cmd", f"let g:cinefile_cmd = {json.dumps(server_cmd)}"] if server_cmd else []
    command = [NVIM, "--headless", "-u", "NONE", "-i", "NONE", "-n", *override,
               "-c", "filetype on", "-c", f"luafile {CONFIG}", "-c", f"luafile {PROBES / 'neovim_probe.lua'}"]
    # The probe's own waits poll with 20 s deadlines; this one only stops a hung Neovim.
    done = subprocess.run(command, cwd=block.parent, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    assert out.exists(), f"the probe wrote nothing; nvim exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    seen = json.loads(out.read_text(encoding="utf-8"))
    log = home / "cache" / "nvim" / "lsp.log"
    # Neovim logs the server's stderr here: the first thing to read when it did not attach.
    seen["lsp_log"] = log.read_text(encoding="utf-8", errors="replace")[-4000:] if log.exists() else ""
    return seen


@pytest.fixture(scope="module")
def scene_probe(night_ferry: Path, tmp_path_factory) -> dict:
    """One Neovim session on story/scene-1.md, stale because mara-raincoat changed after it was written."""
    seen = run_probe(tmp_path_factory.mktemp("neovim"), night_ferry / "story" / "scene-1.md", "mara-raincoat")
    assert "error" not in seen, seen.get("error")
    return seen


def test_cinefile_lsp_attaches_to_a_block(scene_probe):
    """Opening a block of a project starts `cinefile lsp` and attaches it to the buffer."""
    assert scene_probe["filetype"] == "markdown"
    assert scene_probe["started"] == 1
    assert scene_probe["attached"] is True, scene_probe["lsp_log"]


def test_a_stale_dependency_is_a_warning_on_its_entry(scene_probe, night_ferry):
    """The dependency that changed since the scene was written is underlined where it is listed."""
    assert scene_probe["diagnostics_arrived"], scene_probe["diagnostics"]
    entry = stale_entry_line(night_ferry / "story" / "scene-1.md", "mara-raincoat")
    stale = [d for d in scene_probe["diagnostics"] if "mara-raincoat" in d["message"]]
    assert any(d["lnum"] == entry and d["severity"] == 2 for d in stale), (entry, scene_probe["diagnostics"])  # 2: warning


def test_completion_after_dependencies_offers_block_ids(scene_probe):
    """In a new `dependencies:` entry, completion offers the project's block ids not listed yet."""
    assert "completion_error" not in scene_probe, scene_probe.get("completion_error")
    labels = set(scene_probe["completion"])
    assert {"captain-ilse", "wheelhouse", "brass-compass"} <= labels, sorted(labels)
    assert "mara-raincoat" not in labels  # already listed


def test_outside_a_project_nothing_starts(tmp_path):
    """A Markdown file outside any cinefile project gets no server and no error."""
    note = tmp_path / "elsewhere" / "note.md"
    note.parent.mkdir()
    note.write_text("# Just a note\n", encoding="utf-8")
    seen = run_probe(tmp_path, note, "")
    assert seen["filetype"] == "markdown"
    assert seen["started"] == 0
    assert seen["attached"] is False
    assert "error" not in seen


def test_a_missing_server_is_one_clear_warning(night_ferry, tmp_path):
    """When the server command does not exist, nothing starts and one message says how to install it."""
    seen = run_probe(tmp_path, night_ferry / "story" / "logline.md", "", server_cmd=[str(tmp_path / "no-such-cinefile"), "lsp"])
    assert seen["started"] == 0
    assert "error" not in seen
    assert seen["messages"].count("cinefile:") == 1, seen["messages"]
    assert "pip install cinefile" in seen["messages"]
