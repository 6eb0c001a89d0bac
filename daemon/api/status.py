"""The project at a glance: counts by phase and type, stale and never-reviewed blocks, and
every problem as `file:line:col`; and the dependency graph, drawn."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Iterable

from cinefile.format.catalog import PHASES, TYPE_NAMES, phase_of, type_rank
from cinefile.format.problems import ERROR

from ..index.db import Index, problems_of
from ..remote.missing import missing_assets
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


# Every problem of the project, one row each: the file's own and the cross-file ones.
_ALL_PROBLEMS = ("SELECT blocks.path AS path, value FROM blocks, json_each(blocks.problems) WHERE blocks.problems != '[]' "
                 "UNION ALL SELECT blocks.path, value FROM blocks, json_each(blocks.link_problems) "
                 "WHERE blocks.link_problems IS NOT NULL AND blocks.link_problems != '[]'")
_CODE, _SEVERITY = "json_extract(value, '$.code')", f"coalesce(json_extract(value, '$.severity'), '{ERROR}')"
STATE_LISTS = ("stale", "unreviewed", "broken")


def error_count(index: Index) -> int:
    """How many problems are errors, counted by SQLite: decoding every problem in Python only
    to count them took 1.9 s at 100,000 blocks (measured)."""
    return index.query(f"SELECT count(*) AS n FROM ({_ALL_PROBLEMS}) WHERE {_SEVERITY} = '{ERROR}'")[0]["n"]


def _rank_sql(column: str, names: Iterable[str]) -> str:
    """An SQL expression ranking `column` as `phase_rank`/`type_rank` rank it."""
    names = list(names)
    whens = " ".join(f"WHEN '{name}' THEN {rank}" for rank, name in enumerate(names))
    return f"CASE {column} {whens} ELSE {len(names)} END"


_STORY_ORDER = f"{_rank_sql('phase', PHASES)}, {_rank_sql('type', TYPE_NAMES)}, path"


@dataclass(frozen=True)
class ProblemKind:
    """How many problems of one code and severity the project has."""

    code: str
    severity: str
    count: int

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class ProjectStatus:
    """The project at a glance. Every list is complete unless `shown` says how many of each
    (state, or problem code) it keeps: `counts` and `kinds` are always the whole project's."""

    project: str
    root: str
    mode: str
    blocks: int
    phases: dict[str, dict[str, int]]
    stale: list[dict] = field(default_factory=list)  # {"id", "path", "cause", "reason"}
    unreviewed: list[dict] = field(default_factory=list)  # {"id", "path"}
    broken: list[dict] = field(default_factory=list)  # {"id", "path", "reason"}
    problems: list[ProblemInfo] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # stale, unreviewed, broken, problems, errors, warnings
    kinds: list[ProblemKind] = field(default_factory=list)  # errors first, then the most frequent
    shown: int | None = None  # at most this many of each list and problem kind; None: all
    # Asset links whose file is not in assets/ here: not broken, not pulled yet ({"sha256", "role",
    # "block", "path", "line", "message"}); the message says how to fetch them.
    missing_assets: list[dict] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return self.counts["errors"]

    @property
    def elided(self) -> bool:
        """Whether a list leaves some out (see `shown`)."""
        return any(self.counts[name] > len(items) for name, items in (
            ("stale", self.stale), ("unreviewed", self.unreviewed), ("broken", self.broken), ("problems", self.problems)))

    def to_json(self) -> dict:
        return {"project": self.project, "root": self.root, "mode": self.mode, "blocks": self.blocks, "phases": self.phases,
                "stale": self.stale, "unreviewed": self.unreviewed, "broken": self.broken,
                "problems": [p.to_json() for p in self.problems], "errors": self.errors, "counts": self.counts,
                "kinds": [k.to_json() for k in self.kinds], "complete": self.shown is None,
                "missing_assets": self.missing_assets}


class Status(Core):
    def problems(self, paths: Iterable[str] | None = None) -> list[ProblemInfo]:
        return problem_infos(self.index, paths)

    def error_count(self) -> int:
        """How many errors the project's blocks have (what `sync` exits 1 for)."""
        return error_count(self.index)

    def status(self, shown: int | None = None) -> ProjectStatus:
        """Counts by phase and type, the stale, never reviewed and broken blocks, and the
        problems: every one, or (`shown`) the first few of each state and problem kind, in
        story order, which at 100,000 blocks is what a person can read (and 60 MB less)."""
        by_phase: dict[str, Counter] = {phase: Counter() for phase in PHASES[:3]}
        # By type alone, which its index answers; the phase follows from the type.
        for row in self.index.query("SELECT type, count(*) AS n FROM blocks GROUP BY type"):
            by_phase.setdefault(phase_of(row["type"] or "") or "Unknown", Counter())[row["type"] or "(no type)"] += row["n"]
        states = {r["state"]: r["n"] for r in self.index.query("SELECT state, count(*) AS n FROM blocks GROUP BY state")}
        lists = self._state_lists(shown)
        kinds = [ProblemKind(r["code"], r["severity"], r["n"]) for r in self.index.query(
            f"SELECT {_CODE} AS code, {_SEVERITY} AS severity, count(*) AS n FROM ({_ALL_PROBLEMS}) GROUP BY 1, 2")]
        kinds.sort(key=lambda k: (k.severity != ERROR, -k.count, k.code))
        problems = self.problems() if shown is None else self._first_problems(shown)
        errors = sum(k.count for k in kinds if k.severity == ERROR)
        counts = {state: states.get(state, 0) for state in STATE_LISTS} | {
            "problems": sum(k.count for k in kinds), "errors": errors, "warnings": sum(k.count for k in kinds) - errors}
        config = self.project.config
        return ProjectStatus(
            config.name, str(self.project.root), config.mode, sum(states.values()),
            {phase: dict(sorted(counts.items(), key=lambda kv: type_rank(kv[0]))) for phase, counts in by_phase.items()},
            lists["stale"], lists["unreviewed"], lists["broken"], problems, counts, kinds, shown,
            [m.to_json() | {"message": m.message(config.remote is not None)} for m in missing_assets(self.index, self.root)])

    def _state_lists(self, shown: int | None) -> dict[str, list[dict]]:
        """The stale, unreviewed and broken blocks in story order: all, or the first `shown` of
        each (a top-N sort per state: a window over every row took 0.7 s at 100,000 blocks,
        this 0.18 s, measured)."""
        limit = "" if shown is None else f" LIMIT {int(shown)}"
        rows = {state: self.index.query(f"SELECT key, path, stale_cause, stale_reason FROM blocks WHERE state = ? "
                                        f"ORDER BY {_STORY_ORDER}{limit}", [state]) for state in STATE_LISTS}
        return {
            "stale": [{"id": r["key"], "path": r["path"], "cause": r["stale_cause"], "reason": r["stale_reason"]}
                      for r in rows["stale"]],
            "unreviewed": [{"id": r["key"], "path": r["path"]} for r in rows["unreviewed"]],
            "broken": [{"id": r["key"], "path": r["path"], "reason": r["stale_reason"] or ""} for r in rows["broken"]],
        }

    def _first_problems(self, shown: int) -> list[ProblemInfo]:
        """The first `shown` problems of each code and severity, by file and position."""
        rows = self.index.query(
            f"SELECT path, value FROM (SELECT path, value, row_number() OVER (PARTITION BY {_CODE}, {_SEVERITY} "
            f"ORDER BY path, json_extract(value, '$.range[0]'), json_extract(value, '$.range[1]')) AS n "
            f"FROM ({_ALL_PROBLEMS})) WHERE n <= {int(shown)}")
        found = [ProblemInfo.of(row["path"], json.loads(row["value"])) for row in rows]
        return sorted(found, key=lambda p: (p.path, p.line, p.col, p.code))

    def graph(self, fmt: str = "text") -> str:
        """The dependency graph as text, or as Graphviz dot."""
        check_choice("--format", fmt, GRAPH_FORMATS)
        return graph_dot(self.index) if fmt == "dot" else graph_text(self.index)
