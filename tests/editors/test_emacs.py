"""Emacs with editors/emacs/cinefile-eglot.el, for real: batch Emacs with eglot (Debian's emacs-nox
and elpa-eglot) on the sample film, driven by probes/emacs_probe.el against the real `cinefile lsp`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from editor_harness import PROBES, REPO, editor_env, night_ferry, stale_entry_line  # noqa: F401  (a fixture)

EMACS = shutil.which("emacs")


def eglot_available() -> bool:
    if EMACS is None:
        return False
    check = subprocess.run([EMACS, "--batch", "--eval", "(progn (package-initialize) (require 'eglot) (require 'markdown-mode))"],
                           capture_output=True, timeout=60)
    return check.returncode == 0


pytestmark = pytest.mark.skipif(not eglot_available(),
                                reason="needs Emacs with eglot and markdown-mode: `apt-get install emacs-nox elpa-eglot "
                                       "elpa-markdown-mode` (CI installs .ci/debian-packages)")


def run_probe(tmp_path: Path, block: Path, wait_for: str) -> dict:
    out = tmp_path / "probe.json"
    env = editor_env(tmp_path / "home", CINEFILE_PROBE_FILE=str(block), CINEFILE_PROBE_OUT=str(out),
                     CINEFILE_PROBE_TIMEOUT="20", CINEFILE_PROBE_WAIT_FOR=wait_for,
                     CINEFILE_EMACS_CONFIG=str(REPO / "editors" / "emacs"))
    # The probe's own waits poll with 20 s deadlines; this one only stops a hung Emacs.
    done = subprocess.run([EMACS, "--batch", "-l", str(PROBES / "emacs_probe.el")], cwd=block.parent, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert out.exists(), f"the probe wrote nothing; emacs exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    seen = json.loads(out.read_text(encoding="utf-8"))
    seen["stderr"] = done.stderr[-4000:]
    return seen


@pytest.fixture(scope="module")
def scene_probe(night_ferry: Path, tmp_path_factory) -> dict:
    """One Emacs session on story/scene-1.md, stale because mara-raincoat changed after it was written."""
    seen = run_probe(tmp_path_factory.mktemp("emacs"), night_ferry / "story" / "scene-1.md", "mara-raincoat")
    assert "error" not in seen, (seen.get("error"), seen["stderr"])
    return seen


def test_eglot_connects_with_the_project_folder_as_root(scene_probe, night_ferry):
    """A block opens in markdown-mode, eglot starts `cinefile lsp`, and the root is cinefile.toml's folder."""
    assert scene_probe["mode"] == "markdown-mode"
    assert scene_probe["started"] is True
    assert scene_probe["connected"] is True, scene_probe["stderr"]
    assert Path(scene_probe["root"]) == night_ferry


def test_a_stale_dependency_is_a_warning_on_its_entry(scene_probe, night_ferry):
    """flymake shows the server's stale warning on the dependency's line."""
    assert scene_probe["diagnostics_arrived"] is True, scene_probe["diagnostics"]
    entry = stale_entry_line(night_ferry / "story" / "scene-1.md", "mara-raincoat")
    assert any(d["line"] == entry and d["type"] == "eglot-warning" and "mara-raincoat" in d["message"]
               for d in scene_probe["diagnostics"]), (entry, scene_probe["diagnostics"])


def test_completion_after_dependencies_offers_block_ids(scene_probe):
    """In a new `dependencies:` entry, the server offers block ids not listed yet."""
    labels = set(scene_probe["completion"])
    assert {"captain-ilse", "wheelhouse"} <= labels, sorted(labels)
    assert "mara-raincoat" not in labels


def test_outside_a_project_eglot_stays_off(tmp_path):
    """A Markdown file outside any cinefile project starts no server."""
    note = tmp_path / "note.md"
    note.write_text("# Just a note\n", encoding="utf-8")
    seen = run_probe(tmp_path, note, "")
    assert seen["mode"] == "markdown-mode"
    assert seen["started"] is False
    assert seen["connected"] is False
