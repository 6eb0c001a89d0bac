"""What a first sync leaves and takes, on each shape of project:

- `project.db` (history included) beside its floor, the `.md` files it indexes: on the clean
  shape, the busy one, and the long one (blocks of about 2.6 KB, measured up to 10,000
  blocks: a 100,000-block one is a quarter of a gigabyte of prose to write first);
- the peak RSS of a cold `cinefile sync` as a command, the largest of its processes.

Each is one cold `cinefile sync` of a copy of the project with no `project.db`, which leaves
the index checkpointed and closed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

from common import block_files, drop_index, memory, peak_rss_of_command, targets_at

SIZE_TARGET = 3.0  # project.db at most 3 times the .md files, at 10,000 blocks
RSS_TARGET_MB = 300.0  # a cold sync's peak at 100,000 blocks
LONG_UP_TO = 10_000
_MB = 1_000_000


def index_megabytes(root: Path) -> float:
    files = [root / f"project.db{suffix}" for suffix in ("", "-wal")]
    return sum(path.stat().st_size for path in files if path.exists()) / _MB


def markdown_megabytes(root: Path) -> float:
    return sum((root / rel).stat().st_size for rel in block_files(root)) / _MB


def first_sync(root: Path) -> float:
    """A cold `cinefile sync` of the project: its peak RSS in MB."""
    drop_index(root)
    return peak_rss_of_command([sys.executable, "-m", "cinefile.cli", "sync"], root)


def measure(size: int, project_of: Callable[[int, str], Path]) -> list[dict]:
    rows = []
    for shape in ("clean", "busy", "long"):
        if shape == "long" and size > LONG_UP_TO:
            continue
        root = project_of(size, shape)
        rss = first_sync(root)
        md = markdown_megabytes(root)
        what = {"clean": "clean shape", "busy": "busy shape", "long": "long shape, 2.6 KB blocks"}[shape]
        rows.append(memory(f"`project.db`, history included ({what})", index_megabytes(root), floor="the .md files",
                           floor_megabytes=md, target=SIZE_TARGET * md, note=f"{SIZE_TARGET:g}x the .md files"))
        if shape != "long":
            rows.append(targets_at(memory(f"cold `cinefile sync` peak RSS ({what})", rss,
                                          note="the largest of its processes"), at_100000=RSS_TARGET_MB))
    return rows
