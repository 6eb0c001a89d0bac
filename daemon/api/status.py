"""The project at a glance: counts by phase and type, stale and never-reviewed blocks, and
every problem as `file:line:col`; and the dependency graph, drawn."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

from cinefile.format.catalog import PHASES, phase_rank, type_rank
from cinefile.format.problems import ERROR

from ..index.db import Index, problems_of
from .blocks import ProblemInfo, check_choice
from .core import Core
from .graph import graph_dot, graph_text

GRAPH_FORMATS = ("text", "dot")


def problem_infos(index: Index, paths: Iterable[str] | None = None) -> list[ProblemInfo]:
    """Every problem in the project (or in the files at `paths`), by path and position."""
    rows = index.query("SELECT path, problems, link_problems FROM blocks WHERE problems != '[]' OR link_problems != '[]'")
    wanted = None if paths is None else set(paths)
    found = [ProblemInfo.of(row["path"], data) for row in rows if wanted is None or row["path"] in wanted
             for data in problems_of(row)]
    return sorted(found, key=lambda p: (p.path, p.line, p.col, p.code))


def problem_lines(index: Index, paths: Iterable[str] | None = None) -> list[dict]:
    return [p.to_json() for p in problem_infos(index, paths)]


@dataclass
class ProjectStatus:
    project: str
    root: str
    mode: str
    blocks: int
    phases: dict[str, dict[str, int]]
    stale: list[dict] = field(default_factory=list)  # {"id", "path", "cause", "reason"}
    unreviewed: list[dict] = field(default_factory=list)  # {"id", "path"}
    broken: list[dict] = field(default_factory=list)  # {"id", "path", "reason"}
    problems: list[ProblemInfo] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == ERROR)

    def to_json(self) -> dict:
        return {"project": self.project, "root": self.root, "mode": self.mode, "blocks": self.blocks, "phases": self.phases,
                "stale": self.stale, "unreviewed": self.unreviewed, "broken": self.broken,
                "problems": [p.to_json() for p in self.problems], "errors": self.errors}


class Status(Core):
    def problems(self, paths: Iterable[str] | None = None) -> list[ProblemInfo]:
        return problem_infos(self.index, paths)

    def status(self) -> ProjectStatus:
        rows = self.index.query("SELECT key, path, type, phase, state, stale_cause, stale_reason FROM blocks")
        rows.sort(key=lambda r: (phase_rank(r["phase"]), type_rank(r["type"]), r["path"]))
        by_phase: dict[str, Counter] = {phase: Counter() for phase in PHASES[:3]}
        for row in rows:
            by_phase.setdefault(row["phase"] or "Unknown", Counter())[row["type"] or "(no type)"] += 1
        config = self.project.config
        return ProjectStatus(
            config.name, str(self.project.root), config.mode, len(rows),
            {phase: dict(sorted(counts.items(), key=lambda kv: type_rank(kv[0]))) for phase, counts in by_phase.items()},
            [{"id": r["key"], "path": r["path"], "cause": r["stale_cause"], "reason": r["stale_reason"]}
             for r in rows if r["state"] == "stale"],
            [{"id": r["key"], "path": r["path"]} for r in rows if r["state"] == "unreviewed"],
            [{"id": r["key"], "path": r["path"], "reason": r["stale_reason"] or ""} for r in rows if r["state"] == "broken"],
            self.problems())

    def graph(self, fmt: str = "text") -> str:
        """The dependency graph as text, or as Graphviz dot."""
        check_choice("--format", fmt, GRAPH_FORMATS)
        return graph_dot(self.index) if fmt == "dot" else graph_text(self.index)
