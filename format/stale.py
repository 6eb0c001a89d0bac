"""Staleness: a block is stale when something it was made from has changed since.

A block records, in its own frontmatter (`generated.from`), the short content hash of every
block it was generated or reviewed from. Comparing that record with the current hashes tells
what changed, with nothing kept outside the files, so the state survives git and a lost index.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from .elide import ELIDED, SHOWN, elided
from .hashing import short_hash

FRESH = "fresh"
STALE = "stale"
UNREVIEWED = "unreviewed"


@dataclass(frozen=True, slots=True)
class StaleInput:
    content_hash: str
    inputs: Sequence[str]  # parent and dependencies
    record: Mapping[str, str] | None  # generated.from, None when never generated or reviewed


@dataclass(frozen=True, slots=True)
class Staleness:
    state: str
    cause: str | None = None  # the block whose change is the root cause
    via: tuple[str, ...] = ()  # stale blocks between the cause and this one (its ends: see `elide`)
    added: bool = False  # the cause was added as an input after the last review
    skipped: int = 0  # blocks of the path left out of `via`, between its halves

    @property
    def reason(self) -> str:
        if self.state == UNREVIEWED:
            return "never generated or reviewed: run `cinefile mark-fresh` once it is right"
        if self.state != STALE:
            return ""
        what = f"{self.cause} was added since it was generated" if self.added else f"{self.cause} changed"
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
        return Staleness(STALE, self.cause, via, self.added, skipped)


def restore(state: str, cause: str | None, reason: str | None) -> Staleness:
    """A Staleness back from what the index stores of it (state, cause and reason)."""
    if state != STALE or not cause:
        return Staleness(state)
    added = (reason or "").startswith(f"{cause} was added since")
    shown = reason.split(" (via ", 1)[1][:-1].split(" → ") if reason and " (via " in reason else []
    skipped = 0
    for hop in shown:
        if match := ELIDED.match(hop):
            skipped = int(match.group(1).replace(",", ""))
    return Staleness(STALE, cause, tuple(hop for hop in shown if not ELIDED.match(hop)), added, skipped)


def matches(recorded: str, current_hash: str) -> bool:
    return len(recorded) >= 6 and current_hash.startswith(recorded)


def _direct(node: StaleInput, nodes: Mapping[str, StaleInput]) -> Staleness | None:
    present = [i for i in node.inputs if i in nodes]
    if not present:
        return Staleness(FRESH)
    if node.record is None:
        return Staleness(UNREVIEWED)
    for dep in present:
        recorded = node.record.get(dep)
        if recorded is None:
            return Staleness(STALE, dep, added=True)
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
    direct = _direct(node, nodes)
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
