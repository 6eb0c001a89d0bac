"""Run cinefile with its stderr on a real terminal (a pty), to see what it draws there."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path


def run_on_terminal(args: list[str], cwd: Path) -> tuple[int, bytes, bytes]:
    """(exit code, stdout, what was drawn on the terminal) of `python -m cinefile ARGS`."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "cinefile", *args], cwd=cwd, stdout=subprocess.PIPE,
                               stderr=follower, env=os.environ | {"COLUMNS": "100", "TERM": "xterm"})
    os.close(follower)
    drawn = b""
    while True:  # read as it draws, so a long bar never fills the terminal's buffer
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        drawn += chunk
    os.close(leader)
    stdout = process.stdout.read()
    process.stdout.close()
    return process.wait(), stdout, drawn
