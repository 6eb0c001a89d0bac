"""The real `cinefile watch --json` daemon as a child process, for the watcher figures.

Each JSON event it prints is stamped with the time it arrived, so a figure is measured the
way a tool sees it: from the write on disk to the daemon's line saying the index has it.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

DEADLINE_S = 120.0


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set size (VmHWM), in MB; Linux only."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for pid {pid}")


class Daemon:
    def __init__(self, root: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cinefile.cli", "watch", "--json"], cwd=root,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.events: queue.Queue[tuple[float, dict]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.next_event("watching")

    def _read(self) -> None:
        for line in self.process.stdout:
            self.events.put((time.perf_counter(), json.loads(line)))
        self.events.put((time.perf_counter(), {"event": "exited"}))

    def next_event(self, kind: str) -> tuple[float, dict]:
        end = time.monotonic() + DEADLINE_S
        while True:
            arrived, event = self.events.get(timeout=max(end - time.monotonic(), 0.001))
            if event["event"] == kind:
                return arrived, event
            if event["event"] == "exited":
                raise RuntimeError(f"cinefile watch exited with {self.process.wait()} before `{kind}`")

    def synced_all(self, paths: set[str]) -> float:
        """Wait until every path has been reported synced; the time the last report arrived."""
        left = set(paths)
        while left:
            arrived, event = self.next_event("synced")
            left -= {*event["modified"], *event["added"]}
        return arrived

    def peak_rss_mb(self) -> float:
        return peak_rss_mb(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=DEADLINE_S)
