"""Generation figure: what cinefile adds around a generation, per block.

Text for a number of scenes, in mock mode (free, offline, instant), one after the other:
planning (prompt, model, cost), the cache, writing the body back atomically with history,
and the sync that follows. The floor is the mock provider's own call for the same requests,
timed inside the same run; the difference is cinefile's overhead per block. The scenes'
files are put back as they were afterwards.
"""

from __future__ import annotations

import time
from pathlib import Path

from cinefile.daemon.api import ProjectAPI
from cinefile.daemon.generate.runner import Generator
from cinefile.daemon.index.sync import open_index, sync
from cinefile.daemon.project import Project
from common import block_files, latencies, timing


class _TimedProvider:
    """The mock provider, with the time each call took."""

    def __init__(self, provider) -> None:
        self.provider = provider
        self.name = provider.name
        self.seconds: list[float] = []

    def run(self, request, context):
        started = time.perf_counter()
        try:
            return self.provider.run(request, context)
        finally:
            self.seconds.append(time.perf_counter() - started)

    def close(self) -> None:
        self.provider.close()


def measure(root: Path, blocks: int = 20) -> list[dict]:
    scenes = [rel for rel in block_files(root) if "/scenes/" in rel][:blocks]
    originals = {rel: (root / rel).read_bytes() for rel in scenes}
    project = Project(root)
    index = open_index(project)
    try:
        sync(project, index)
        keys = [index.block_at(rel)["key"] for rel in scenes]
        per_block = []
        write = ProjectAPI(project, index=index).write_result
        with Generator(project, index, mock=True, force=True,
                       apply=lambda job, result: write(job, result, overwrite=True)) as generator:
            provider = generator.providers["mock"] = _TimedProvider(generator.providers["mock"])
            for key in keys:
                started = time.perf_counter()
                outcome = generator.run(generator.plan(key, "text"))
                per_block.append(time.perf_counter() - started)
                if outcome.status != "done":
                    raise RuntimeError(f"mock generation of {key}: {outcome.status} {outcome.message}")
        for rel, data in originals.items():
            (root / rel).write_bytes(data)
        sync(project, index)
    finally:
        index.close()
    mean, floor = sum(per_block) / len(per_block), sum(provider.seconds) / len(provider.seconds)
    return [
        timing("mock generation, per block (text)", mean, floor="the mock provider's call", floor_seconds=floor,
               note=f"overhead {(mean - floor) * 1000:.1f} ms per block, {len(per_block)} scenes"),
        latencies("mock generation, per block (text), spread", per_block),
    ]
