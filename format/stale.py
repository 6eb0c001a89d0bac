"""Staleness: a block is stale when something it was made from has changed since.

A block records, in its own frontmatter (`generated.from`), the short content hash of every
block it was generated or reviewed from. Comparing that record with the current hashes tells
what changed, with nothing kept outside the files, so the state survives git and a lost index.
A block whose frontmatter cannot be read is broken, and what is made from it is stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from .elide import ELIDED, SHOWN, elided
from .hashing import short_hash
from .problems import FILE_START, UNREADABLE_CODES, Problem

FRESH = "fresh"
STALE = "stale"
UNREVIEWED = "unreviewed"
BROKEN = "broken"

# What happened to a stale block's cause, as its reason says it.
CHANGED, ADDED, UNREADABLE = "changed", "added", "unreadable"
_CHANGE_TEXT = {CHANGED: "{} changed", ADDED: "{} was added since it was generated", UNREADABLE: "{} cannot be read"}


@dataclass(frozen=True, slots=True)
class StaleInput:
    content_hash: str
    inputs: Sequence[str]  # parent and dependencies
    record: Mapping[str, str] | None  # generated.from, None when never generated or reviewed
    broken: str | None = None  # why its frontmatter cannot be read (see `broken_reason`), when it cannot


@dataclass(frozen=True, slots=True)
class Staleness:
    state: str
    cause: str | None = None  # the block whose change is the root cause
    via: tuple[str, ...] = ()  # stale blocks between the cause and this one (its ends: see `elide`)
    change: str = CHANGED  # what happened to the cause: CHANGED, ADDED (as an input, since the review) or UNREADABLE
    skipped: int = 0  # blocks of the path left out of `via`, between its halves
    broken: str = ""  # a broken block's reason, which names no cause

    @property
    def reason(self) -> str:
        if self.state == UNREVIEWED:
            return "never generated or reviewed: run `cinefile mark-fresh` once it is right"
        if self.state == BROKEN:
            return self.broken
        if self.state != STALE:
            return ""
        what = _CHANGE_TEXT[self.change].format(self.cause)
        return f"{what} (via {' → '.join(self.path())})" if self.via else what

    def path(self) -> list[str]:
        """`via` as shown, with `… N more` where blocks are left out."""
        return elided(self.via, self.skipped)

    def through(self, block_id: str) -> "Staleness":
        """This staleness, passed on one block further down. Only the ends of the path are
        kept, so that passing it down a long chain costs the same at every step."""
        via, skipped = self.via + (block_id,), self.skipped
        if len(via) > SHOWN:
            half = SHOWN // 2
            via, skipped = via[:half] + via[half + 1 :], skipped + 1
        return Staleness(STALE, self.cause, via, self.change, skipped)


def broken_reason(problems: Iterable[Problem]) -> str | None:
    """Why a block's frontmatter cannot be read, from its problems, with the line unless the
    message names it (`line 4: YAML syntax error: ...`); None when it can be read."""
    for problem in problems:
        if problem.code in UNREADABLE_CODES:
            line = f"line {problem.range.start.line + 1}"
            named = problem.range == FILE_START or re.search(rf"\b{line}\b", problem.message)
            return problem.message if named else f"{line}: {problem.message}"
    return None


def restore(state: str, cause: str | None, reason: str | None) -> Staleness:
    """A Staleness back from what the index stores of it (state, cause and reason)."""
    if state == BROKEN:
        return Staleness(BROKEN, broken=reason or "")
    if state != STALE or not cause:
        return Staleness(state)
    change = next((change for change, text in _CHANGE_TEXT.items() if (reason or "").startswith(text.format(cause))), CHANGED)
    shown = reason.split(" (via ", 1)[1][:-1].split(" → ") if reason and " (via " in reason else []
    skipped = 0
    for hop in shown:
        if match := ELIDED.match(hop):
            skipped = int(match.group(1).replace(",", ""))
    return Staleness(STALE, cause, tuple(hop for hop in shown if not ELIDED.match(hop)), change, skipped)


def matches(recorded: str, current_hash: str) -> bool:
    return len(recorded) >= 6 and current_hash.startswith(recorded)


def _direct(node: StaleInput, nodes: Mapping[str, StaleInput], done: Mapping[str, Staleness]) -> Staleness | None:
    if node.broken is not None:
        return Staleness(BROKEN, broken=node.broken)
    present = [i for i in node.inputs if i in nodes]
    if not present:
        return Staleness(FRESH)
    if node.record is None:
        return Staleness(UNREVIEWED)
    for dep in present:
        # A broken input has no inputs, so it is never in a cycle and always worked out first.
        if (upstream := done.get(dep)) is not None and upstream.state == BROKEN:
            return Staleness(STALE, dep, change=UNREADABLE)
        recorded = node.record.get(dep)
        if recorded is None:
            return Staleness(STALE, dep, change=ADDED)
        if not matches(recorded, nodes[dep].content_hash):
            return Staleness(STALE, dep)
    return None  # fresh unless an input is itself stale


def compute_staleness(nodes: Mapping[str, StaleInput], known: Mapping[str, Staleness] | None = None) -> dict[str, Staleness]:
    """The state of every block, propagated through dependencies. Cycles are cut, not followed.

    `known` holds states already computed for some of `nodes` (blocks a change cannot reach):
    they are taken as they are, so only the rest is worked out."""
    result: dict[str, Staleness] = dict(known or {})
    in_progress: set[str] = set()
    for root in nodes:
        if root in result:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        in_progress.add(root)
        while work:
            name, i = work.pop()
            inputs = nodes[name].inputs
            if i < len(inputs):
                work.append((name, i + 1))
                dep = inputs[i]
                if dep in nodes and dep not in result and dep not in in_progress:
                    in_progress.add(dep)
                    work.append((dep, 0))
                continue
            in_progress.discard(name)
            result[name] = _resolve(name, nodes, result)
    return result


def _resolve(name: str, nodes: Mapping[str, StaleInput], done: Mapping[str, Staleness]) -> Staleness:
    node = nodes[name]
    direct = _direct(node, nodes, done)
    if direct is not None:
        return direct
    for dep in node.inputs:
        upstream = done.get(dep)
        if upstream is not None and upstream.state == STALE:
            return upstream.through(dep)
    return Staleness(FRESH)


def record_for(inputs: Sequence[str], hashes: Mapping[str, str]) -> dict[str, str]:
    """The `generated.from` map that makes a block fresh against the current hashes."""
    return {dep: short_hash(hashes[dep]) for dep in inputs if dep in hashes}
