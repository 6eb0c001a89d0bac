"""What the figure modules share: the block files of a project, percentiles, result rows."""

from __future__ import annotations

import contextlib
import os
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


def memory(figure: str, megabytes: float, *, target: float | None = None, note: str = "") -> dict:
    return {"figure": figure, "unit": "MB", "value": megabytes, "floor": None, "floor_value": None,
            "target": target, "note": note}
