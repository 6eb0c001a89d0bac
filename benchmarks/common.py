"""What the figure modules share: the block files of a project, percentiles, result rows."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path


def block_files(root: Path) -> list[str]:
    """Every block file under `root` (relative, sorted): the synthetic projects have no
    ignored folders besides hidden ones."""
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        rel = os.path.relpath(folder, root)
        found += [name if rel == "." else f"{rel}/{name}" for name in names if name.endswith(".md")]
    return sorted(found)


def drop_index(root: Path) -> None:
    """Delete the project's index, as on a fresh clone (project.db is not committed)."""
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(root / f"project.db{suffix}")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), interpolated between the nearest ranks."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def timing(figure: str, seconds: float, *, floor: str | None = None, floor_seconds: float | None = None,
           target: float | None = None, note: str = "") -> dict:
    """A figure measured once (the best of its runs), in seconds."""
    return {"figure": figure, "unit": "s", "value": seconds, "floor": floor, "floor_value": floor_seconds,
            "target": target, "note": note}


def latencies(figure: str, samples: list[float], *, target_p95: float | None = None, note: str = "") -> dict:
    """A latency figure from many samples (seconds in, milliseconds out): p50, p95 and p99."""
    ms = [s * 1000 for s in samples]
    return {"figure": figure, "unit": "ms", "value": percentile(ms, 95), "p50": percentile(ms, 50),
            "p95": percentile(ms, 95), "p99": percentile(ms, 99), "samples": len(ms), "floor": None,
            "floor_value": None, "target": target_p95, "note": note}


def memory(figure: str, megabytes: float, *, target: float | None = None, note: str = "",
           floor: str | None = None, floor_megabytes: float | None = None) -> dict:
    return {"figure": figure, "unit": "MB", "value": megabytes, "floor": floor, "floor_value": floor_megabytes,
            "target": target, "note": note}


def targets_at(row: dict, **by_size: float) -> dict:
    """The row with targets set for other sizes than 10,000 blocks (`at_100000=1.0`): the
    table says them beside the 10,000-block one, each with whether it is met."""
    return row | {"targets_at": sorted([int(size.removeprefix("at_")), value] for size, value in by_size.items())}


def peak_rss_of_command(args: list[str], cwd: Path) -> float:
    """Peak RSS in MB of the biggest process of a command (itself or a worker it forked),
    as the kernel counts it: the command runs under a Python of its own whose only children
    are the command's."""
    launcher = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=False, stdout=subprocess.DEVNULL, "
                "stderr=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", launcher, *args], cwd=cwd, capture_output=True, text=True, check=True)
    return int(done.stdout.strip()) / 1024
