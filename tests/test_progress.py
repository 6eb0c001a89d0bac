"""Long syncs show a progress bar on stderr, and only when stderr is a terminal."""

import subprocess
import sys

from conftest import block_text, write
from terminal import run_on_terminal


def _project_with_many_files(empty, count=400):
    for i in range(count):
        write(empty.root, f"story/beat-{i:04d}.md", block_text("beat", f"Beat {i}.\n"))
    return empty


def test_a_long_sync_draws_a_bar_on_a_terminal(empty):
    project = _project_with_many_files(empty)
    code, stdout, drawn = run_on_terminal(["sync"], project.root)
    assert code == 0
    assert stdout.decode().startswith("+400 ~0 -0 >0")
    assert b"Indexing" in drawn and b"/400" in drawn


def test_no_bar_when_stderr_is_not_a_terminal(empty):
    project = _project_with_many_files(empty)
    process = subprocess.run([sys.executable, "-m", "cinefile", "sync"], cwd=project.root, capture_output=True)
    assert process.returncode == 0 and process.stderr == b""


def test_python_dash_m_cinefile_cli_works(tmp_path):
    process = subprocess.run([sys.executable, "-m", "cinefile.cli", "--help"], cwd=tmp_path, capture_output=True, text=True)
    assert process.returncode == 0 and "init" in process.stdout and "sync" in process.stdout


def test_a_sync_big_enough_for_workers_draws_its_bar_and_indexes_everything(empty):
    """1,600 files: read by forked workers (the bar redraws without a thread of its own,
    so forking stays safe), every block indexed, the bar reaching the total."""
    project = _project_with_many_files(empty, count=1600)
    code, stdout, drawn = run_on_terminal(["sync"], project.root)
    assert code == 0 and stdout.decode().startswith("+1600 ~0 -0 >0")
    assert b"1600/1600" in drawn
