"""What the index knows, gathered for people and tools: status, lists, a block's card."""

from __future__ import annotations

import json
from collections import Counter
from typing import Iterable

from cinefile.format.catalog import PHASES, phase_rank, type_rank
from cinefile.format.problems import ERROR, Problem

from ..index.db import Index, problems_of
from ..project import Project


def problem_lines(index: Index, paths: Iterable[str] | None = None) -> list[dict]:
    """Every problem in the project (or in the files at `paths`), sorted by path and position."""
    rows = index.query("SELECT path, problems, link_problems FROM blocks WHERE problems != '[]' OR link_problems != '[]'")
    wanted = None if paths is None else set(paths)
    found = []
    for row in rows:
        if wanted is not None and row["path"] not in wanted:
            continue
        for data in problems_of(row):
            problem = Problem.from_json(data)
            found.append({"path": row["path"], "line": problem.range.start.line + 1, "col": problem.range.start.col + 1,
                          "end_line": problem.range.end.line + 1, "end_col": problem.range.end.col + 1,
                          "severity": problem.severity, "code": problem.code, "message": problem.message,
                          "text": problem.located(row["path"])})
    return sorted(found, key=lambda p: (p["path"], p["line"], p["col"], p["code"]))


def status(project: Project, index: Index) -> dict:
    rows = index.query("SELECT key, path, type, phase, title, state, stale_cause, stale_reason FROM blocks")
    rows.sort(key=lambda r: (phase_rank(r["phase"]), type_rank(r["type"]), r["path"]))
    by_phase: dict[str, Counter] = {phase: Counter() for phase in PHASES[:3]}
    for row in rows:
        by_phase.setdefault(row["phase"] or "Unknown", Counter())[row["type"] or "(no type)"] += 1
    problems = problem_lines(index)
    return {
        "project": project.config.name,
        "root": str(project.root),
        "mode": project.config.mode,
        "blocks": len(rows),
        "phases": {phase: dict(sorted(counts.items(), key=lambda kv: type_rank(kv[0]))) for phase, counts in by_phase.items()},
        "stale": [{"id": r["key"], "path": r["path"], "cause": r["stale_cause"], "reason": r["stale_reason"]}
                  for r in rows if r["state"] == "stale"],
        "unreviewed": [{"id": r["key"], "path": r["path"]} for r in rows if r["state"] == "unreviewed"],
        "problems": problems,
        "errors": sum(1 for p in problems if p["severity"] == ERROR),
    }


def block_card(index: Index, key: str) -> dict | None:
    row = index.block(key)
    if row is None:
        return None
    refs = json.loads(row["refs"])
    return {
        "id": row["key"], "path": row["path"], "type": row["type"], "phase": row["phase"], "title": row["title"],
        "version": row["version"], "tags": json.loads(row["tags"] or "[]"),
        "parent": row["parent_key"],
        "dependencies": [{"id": r[0], "type": r[2]} for r in refs if r[1] == "dependency"],
        "dependents": [{"id": d["key"], "path": d["path"], "kind": d["kind"]} for d in index.dependents(key)],
        "state": row["state"], "stale_reason": row["stale_reason"],
        "content_hash": row["content_hash"],
        "problems": [Problem.from_json(p).located(row["path"]) for p in problems_of(row)],
        "body": row["content"],
    }
