"""Watcher figures, through the real `cinefile watch` daemon:

- one file saved -> the daemon reports it in the index (debounce included), p50/p95/p99;
- a burst of edits (2,000, or every block of a smaller project) -> all of them synced;
- the daemon's peak RSS after both.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from common import block_files, latencies, memory, timing
from daemon_process import Daemon

BURST = 2000


def _edited(original: bytes, n: int) -> bytes:
    return original + f"\nEdited {n}.\n".encode()


def measure(root: Path, edits: int = 40, burst: int = BURST, seed: int = 11) -> list[dict]:
    files = block_files(root)
    rng = random.Random(seed)
    daemon = Daemon(root)
    try:
        saves = []
        for n, rel in enumerate(rng.sample(files, min(edits, len(files)))):
            path = root / rel
            original = path.read_bytes()
            started = time.perf_counter()
            path.write_bytes(_edited(original, n))
            saves.append(daemon.synced_all({rel}) - started)
            path.write_bytes(original)
            daemon.synced_all({rel})
        chosen = rng.sample(files, min(burst, len(files)))
        originals = {rel: (root / rel).read_bytes() for rel in chosen}
        started = time.perf_counter()
        for rel, original in originals.items():
            (root / rel).write_bytes(_edited(original, 0))
        converged = daemon.synced_all(set(chosen)) - started
        for rel, original in originals.items():
            (root / rel).write_bytes(original)
        daemon.synced_all(set(chosen))
        rss = daemon.peak_rss_mb()
    finally:
        daemon.stop()
    return [
        latencies("save -> index (watcher)", saves, target_p95=150.0, note=f"{len(saves)} saves, 75 ms debounce included"),
        timing("burst of edits -> converged", converged, target=3.0, note=f"{len(chosen)} files, writes included"),
        memory("daemon peak RSS", rss, target=200.0, note="cinefile watch, after the figures above"),
    ]
