"""The cost ledger: one JSON line per paid call, in `assets/ledger.jsonl`.

A file, not a table, for the same reason as the request cache: spend must survive deleting
project.db. Lines are appended whole under a lock, so concurrent jobs never interleave.
"""

from __future__ import annotations

import json
import os
import stat
import threading
from collections import defaultdict
from pathlib import Path

from cinefile.daemon.errors import UserError
from cinefile.daemon.inside import folder_inside, kind_of, read_regular_text

LEDGER_NAME = "ledger.jsonl"
GROUPS = ("mode", "provider", "kind", "block")


class Ledger:
    def __init__(self, assets_folder: Path) -> None:
        self.path = assets_folder / LEDGER_NAME
        self.lock = threading.Lock()

    def record(self, entry: dict) -> None:
        line = (json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
        with self.lock:
            folder_inside(self.path.parent.parent, self.path)  # neither assets/ nor the ledger may lead out
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # O_NONBLOCK: a FIFO in its place fails at once instead of waiting for a reader.
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK, 0o644)
            try:
                if not stat.S_ISREG(mode := os.fstat(fd).st_mode):
                    raise UserError(f"assets/{LEDGER_NAME} is {kind_of(mode)}, not a regular file: refused, the cost "
                                    "was not recorded; replace it with a file")
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)

    def entries(self) -> list[dict]:
        try:
            lines = read_regular_text(self.path, self.path.parent.parent).splitlines()
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
