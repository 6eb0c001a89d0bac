"""Sync figures, each beside its floor taken in the same run.

- cold sync vs a loop that only reads and libyaml-parses the same files;
- the same as commands, interpreter start included: `cinefile sync` with no project.db vs
  that loop run by `python -c`;
- re-sync with nothing changed vs an `os.scandir` stat walk.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import yaml
from cinefile.daemon.index.sync import open_index, sync
from cinefile.daemon.project import Project
from common import block_files, drop_index, timing
from frontmatter.default_handlers import YAMLHandler


def read_parse_floor(root: Path) -> float:
    files = [os.path.join(root, rel) for rel in block_files(root)]
    started = time.perf_counter()
    for path in files:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8")
        yaml.load(YAMLHandler.FM_BOUNDARY.split(text, 2)[1], Loader=yaml.CSafeLoader)
    return time.perf_counter() - started


# The floor of a first sync as a command: Python started, every block file read and its
# frontmatter libyaml-parsed (the same loop as `read_parse_floor`).
_READ_PARSE_COMMAND = """
import os, sys, yaml
from frontmatter.default_handlers import YAMLHandler
for folder, dirs, names in os.walk(sys.argv[1]):
    dirs[:] = [d for d in dirs if not d.startswith(".")]
    for name in names:
        if name.endswith(".md"):
            with open(os.path.join(folder, name), "rb") as handle:
                text = handle.read().decode("utf-8")
            yaml.load(YAMLHandler.FM_BOUNDARY.split(text, 2)[1], Loader=yaml.CSafeLoader)
"""


def read_parse_command_floor(root: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", _READ_PARSE_COMMAND, str(root)], check=True)
    return time.perf_counter() - started


def cold_sync_command(root: Path) -> float:
    drop_index(root)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "cinefile.cli", "sync"], cwd=root, capture_output=True)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"cinefile sync failed: {done.stderr.decode()[-500:]}")
    return time.perf_counter() - started


def stat_walk_floor(root: Path) -> float:
    started = time.perf_counter()
    stack = [str(root)]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir():
                    stack.append(entry.path)
                else:
                    entry.stat()
    return time.perf_counter() - started


def cold_sync(root: Path) -> float:
    project = Project(root)
    drop_index(root)
    index = open_index(project)
    try:
        started = time.perf_counter()
        sync(project, index)
        return time.perf_counter() - started
    finally:
        index.close()


def resync(root: Path) -> float:
    project = Project(root)
    index = open_index(project)
    try:
        sync(project, index)
        started = time.perf_counter()
        sync(project, index)
        return time.perf_counter() - started
    finally:
        index.close()


def measure(root: Path, repeat: int = 5) -> list[dict]:
    """Best of `repeat` for each figure and floor (the least disturbed run). Each figure's
    runs alternate with its floor's, so that both meet a shared machine whose speed changes
    from minute to minute (seen) in the same state."""
    read_parse_floor(root)  # warm the page cache for both sides alike
    floor_parse, cold = _alternating(lambda: read_parse_floor(root), lambda: cold_sync(root), repeat)
    floor_command, cold_command = _alternating(lambda: read_parse_command_floor(root), lambda: cold_sync_command(root), repeat)
    floor_walk, warm = _alternating(lambda: stat_walk_floor(root), lambda: resync(root), repeat)
    return [
        timing("cold sync", cold, floor="read + libyaml parse", floor_seconds=floor_parse, target=1.5 * floor_parse,
               note="target: 1.5x the floor"),
        timing("cold sync, `cinefile sync` as a command", cold_command, floor="read + libyaml parse, as a command",
               floor_seconds=floor_command, target=2 * floor_command, note="target: 2x the floor"),
        timing("re-sync, nothing changed", warm, floor="os.scandir stat walk", floor_seconds=floor_walk, target=0.15),
    ]


def _alternating(floor, figure, repeat: int) -> tuple[float, float]:
    """The best of `repeat` runs of each, a floor run before each figure run."""
    floors, figures = [], []
    for _ in range(repeat):
        floors.append(floor())
        figures.append(figure())
    return min(floors), min(figures)
