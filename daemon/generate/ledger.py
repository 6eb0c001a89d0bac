"""The cost ledger: one JSON line per paid call, in `assets/ledger.jsonl`.

A file, not a table, for the same reason as the request cache: spend must survive deleting
project.db. Lines are appended whole under a lock, so concurrent jobs never interleave.
"""

from __future__ import annotations

import json
import os
import threading
from collections import defaultdict
from pathlib import Path

LEDGER_NAME = "ledger.jsonl"
GROUPS = ("mode", "provider", "kind", "block")


class Ledger:
    def __init__(self, assets_folder: Path) -> None:
        self.path = assets_folder / LEDGER_NAME
        self.lock = threading.Lock()

    def record(self, entry: dict) -> None:
        line = (json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
        with self.lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)

    def entries(self) -> list[dict]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except OSError:
            return []
        found = []
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # a torn last line from a crash: skip it, keep the rest
            if isinstance(entry, dict):
                found.append(entry)
        return found

    def total(self) -> float:
        return sum(float(e.get("cost") or 0) for e in self.entries())

    def summary(self) -> dict:
        entries = self.entries()
        by: dict[str, dict[str, float]] = {group: defaultdict(float) for group in GROUPS}
        for entry in entries:
            for group in GROUPS:
                by[group][str(entry.get(group) or "-")] += float(entry.get("cost") or 0)
        return {"total": round(sum(float(e.get("cost") or 0) for e in entries), 6), "calls": len(entries),
                "by": {group: dict(sorted(values.items())) for group, values in by.items()}}
