"""The project at a glance: counts by phase and type, stale and never-reviewed blocks, and
every problem as `file:line:col`; and the dependency graph, drawn."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Iterable, Iterator

from cinefile.format.catalog import PHASES, TYPE_NAMES, phase_of, type_rank
from cinefile.format.problems import ERROR

from ..index.db import Index, decoded_problems
from ..remote.missing import missing_assets
from .blocks import ProblemInfo, check_choice
from .core import Core
from .graph import graph_dot, graph_text

GRAPH_FORMATS = ("text", "dot")


# The rows with any problem: a row with none has '[]' in both columns.
_PROBLEM_ROWS = ("SELECT path, problems, link_problems FROM blocks "
                 "WHERE problems != '[]' OR (link_problems IS NOT NULL AND link_problems != '[]')")
STATE_LISTS = ("stale", "unreviewed", "broken")


def _problems_by_path(index: Index) -> Iterator[tuple[str, list[dict]]]:
    """Each block with problems, by path: its path and its problems, its own then the
    cross-file ones (decoded in C: a third of 100,000 busy blocks have some)."""
    with index.lock:
        rows = index.db.execute(_PROBLEM_ROWS).fetchall()
    rows.sort()  # by path, which is unique
    for path, problems, link_problems in rows:
        yield path, decoded_problems(problems, link_problems)


def _by_position(problem: ProblemInfo) -> tuple:
    return problem.path, problem.line, problem.col, problem.code


def problem_infos(index: Index, paths: Iterable[str] | None = None) -> list[ProblemInfo]:
    """Every problem in the project (or in the files at `paths`), by path and position."""
    wanted = None if paths is None else set(paths)
    found = [ProblemInfo.of(path, data) for path, problems in _problems_by_path(index)
             if wanted is None or path in wanted for data in problems]
    return sorted(found, key=_by_position)


def problem_lines(index: Index, paths: Iterable[str] | None = None) -> list[dict]:
    return [p.to_json() for p in problem_infos(index, paths)]


def problem_summary(index: Index, shown: int | None = None) -> tuple[list[ProblemKind], list[ProblemInfo]]:
    """Every problem counted by code and severity (errors first, then the most frequent), and
    the first `shown` of each kind by file and position (None: every one), from one read of
    the rows that have problems: counting them and ranking each kind's first few with
    `json_each` in SQLite took 0.27 s at 100,000 busy blocks, this about 0.1 s (measured)."""
    counts: Counter[tuple[str, str]] = Counter()
    kept: list[ProblemInfo] = []
    for path, problems in _problems_by_path(index):
        for data in sorted(problems, key=_start) if len(problems) > 1 else problems:
            kind = (data["code"], data.get("severity", ERROR))
            counts[kind] += 1
            if shown is None or counts[kind] <= shown:
                kept.append(ProblemInfo.of(path, data))
    kinds = [ProblemKind(code, severity, n) for (code, severity), n in counts.items()]
    kinds.sort(key=lambda k: (k.severity != ERROR, -k.count, k.code))
    return kinds, sorted(kept, key=_by_position)


def _start(problem: dict) -> list[int]:
    return problem["range"][:2]  # line, column: where a problem starts


def error_count(index: Index) -> int:
    """How many problems are errors, from the counts the index keeps beside them: decoding
    every problem only to count them took 1.9 s at 100,000 blocks (measured)."""
    return index.error_count()


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
        kinds, problems = problem_summary(self.index, shown)
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

    def graph(self, fmt: str = "text") -> str:
        """The dependency graph as text, or as Graphviz dot."""
        check_choice("--format", fmt, GRAPH_FORMATS)
        return graph_dot(self.index) if fmt == "dot" else graph_text(self.index)
