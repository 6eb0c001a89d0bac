"""What a person waits for at the command line, on the busy project (warnings on a third of
the blocks, a hub, a deep chain, assets), each command run as its own process as a person
runs it, interpreter start included:

- `cinefile sync` and `cinefile status` with nothing changed, beside a floor: the
  interpreter started and the tree stat-walked, as one command;
- `cinefile list --type scene` and `cinefile show location-hub` (its 2,000 dependents), with
  how much each prints;
- mark-fresh of 5,000 blocks (the hub's and the style guide's dependents) in process, beside
  a floor: the same files written atomically with one flush, as the batch write does.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from cinefile.daemon.api import ProjectAPI
from cinefile.daemon.atomic_batch import write_atomic_all
from common import targets_at, timing
from synthetic import HUB

MARKED = 5_000
# The floor of a command that finds nothing changed: Python started, the tree stat-walked.
_WALK_COMMAND = """
import os, sys
stack = [sys.argv[1]]
while stack:
    with os.scandir(stack.pop()) as entries:
        for entry in entries:
            stack.append(entry.path) if entry.is_dir() else entry.stat()
"""


def run_command(root: Path, *args: str) -> tuple[float, bytes]:
    """Seconds a `cinefile` command took, start to exit, and what it printed."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "cinefile.cli", *args], cwd=root, capture_output=True)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise RuntimeError(f"cinefile {' '.join(args)} failed: {done.stderr.decode()[-500:]}")
    return elapsed, done.stdout


def run_python(code: str, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, *args], check=True)
    return time.perf_counter() - started


def _best(runs: int, measure) -> float:
    return min(measure() for _ in range(runs))


def _printed(output: bytes) -> str:
    lines = output.decode("utf-8", errors="replace").splitlines() or [""]
    return f"prints {len(output) / 1000:,.1f} KB, {len(lines):,} lines, the longest {max(map(len, lines)):,} characters"


def commands(root: Path, repeat: int) -> list[dict]:
    run_command(root, "sync")  # the index exists (a first sync of the project is another figure)
    rows = []
    walk_floor, synced = [], []
    for _ in range(repeat):
        walk_floor.append(run_python(_WALK_COMMAND, str(root)))
        synced.append(run_command(root, "sync")[0])
    floor = min(walk_floor)
    rows.append(timing("`cinefile sync`, nothing changed (command)", min(synced), floor="python + stat walk, as a command",
                       floor_seconds=floor, target=0.25))
    for figure, args, target in (("`cinefile status`, nothing changed (command)", ("status",), 0.25),
                                 ("`cinefile list --type scene` (command)", ("list", "--type", "scene"), None),
                                 ("`cinefile show` a hub of 2,000 dependents (command)", ("show", HUB), None)):
        seconds, output = min((run_command(root, *args) for _ in range(repeat)), key=lambda pair: pair[0])
        row = timing(figure, seconds, floor="python + stat walk, as a command", floor_seconds=floor, target=target,
                     note=_printed(output))
        rows.append(targets_at(row, at_100000=1.0) if args == ("status",) else row)
    return rows


def mark_fresh(root: Path, repeat: int) -> list[dict]:
    """mark-fresh of the first 5,000 dependents of the hub and the style guide, put back after each run."""
    with ProjectAPI.open(root) as api:
        api.sync()
        ids = [row["key"] for row in api.index.query(
            "SELECT DISTINCT b.key, b.path FROM dependencies d JOIN blocks b ON b.id = d.src_block_id "
            "WHERE d.dst_key IN (?, 'style-guide') ORDER BY b.path LIMIT ?", [HUB, MARKED])]
        paths = [row["path"] for row in api.index.query(
            "SELECT path FROM blocks WHERE key IN (SELECT value FROM json_each(?))", [json.dumps(ids)])]
        texts = {path: (root / path).read_bytes() for path in paths}
        floors, runs = [], []
        for _ in range(repeat):
            started = time.perf_counter()
            write_atomic_all((root / path, data) for path, data in texts.items())
            floors.append(time.perf_counter() - started)
            api.sync(scope=paths)  # a user marks blocks fresh in a synced project: the floor's rewrite is not theirs
            started = time.perf_counter()
            api.mark_fresh(ids)
            runs.append(time.perf_counter() - started)
            write_atomic_all((root / path, data) for path, data in texts.items())
            api.sync(scope=paths)
    return [timing("mark-fresh of 5,000 blocks", min(runs), floor="the same files written atomically, one flush",
                   floor_seconds=min(floors), target=0.5,
                   note=f"{len(ids):,} blocks (all there are, below 10,000 blocks); in process: read, record, guarded write, sync")]


def measure(root: Path, repeat: int = 3) -> list[dict]:
    return commands(root, repeat) + mark_fresh(root, repeat)
