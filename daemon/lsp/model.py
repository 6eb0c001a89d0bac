"""The project as the editor sees it: every block from the index, with open buffers laid
over it, kept in memory so that completion, hover and diagnostics never touch SQLite.

Loaded once from the index, then updated from sync reports (disk) and from buffer edits.
"""

from __future__ import annotations

import bisect
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from cinefile.format.block import Block, Ref
from cinefile.format.catalog import phase_of
from cinefile.format.problems import Problem, Range
from cinefile.format.stale import FRESH, StaleInput, Staleness, broken_reason, compute_staleness

HEAD_LINES = 4
ROW_COLUMNS = "key, path, type, title, tags, refs, content_hash, record, id_range, problems, content, frontmatter"


@dataclass(slots=True)
class Node:
    """What the editor needs of one block, from the index or from an open buffer."""

    path: str
    id: str
    type: str
    title: str
    tags: list[str]
    refs: list[Ref]
    content_hash: str
    record: dict[str, str] | None
    id_range: Range
    head: str  # the first lines of the body, for hovers
    assets: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # the file's own, from parsing
    block: Block | None = None  # the parsed buffer, for open documents only

    @property
    def inputs(self) -> list[str]:
        return list(dict.fromkeys(ref.target for ref in self.refs))

    @property
    def phase(self) -> str:
        return phase_of(self.type) or ""

    def stale_input(self) -> StaleInput:
        return StaleInput(self.content_hash, self.inputs, self.record, broken_reason(self.problems))


def head_of(body: str) -> str:
    lines = [line for line in body.strip("\n").splitlines() if line.strip()]
    return "\n".join(lines[:HEAD_LINES])


def node_of_block(block: Block) -> Node:
    return Node(block.path, block.id, block.type, block.title, block.tags, block.refs, block.content_hash, block.record,
                block.id_range, head_of(block.body), block.assets, block.problems, block)


def node_of_row(row: dict) -> Node:
    frontmatter = json.loads(row["frontmatter"] or "{}")
    assets = frontmatter.get("assets") if isinstance(frontmatter, dict) else None
    return Node(
        row["path"], row["key"], row["type"] or "", row["title"] or "", json.loads(row["tags"] or "[]"),
        [Ref.from_json(r) for r in json.loads(row["refs"] or "[]")], row["content_hash"] or "",
        json.loads(row["record"]) if row["record"] else None, Range.from_json(json.loads(row["id_range"] or "[0,0,0,0]")),
        head_of(row["content"] or ""), [a for a in assets if isinstance(a, dict)] if isinstance(assets, list) else [],
        [Problem.from_json(p) for p in json.loads(row["problems"] or "[]")],
    )


class Model:
    def __init__(self) -> None:
        self.disk: dict[str, Node] = {}
        self.buffers: dict[str, Node] = {}
        self.nodes: dict[str, Node] = {}  # the disk laid under the buffers, by path
        self.by_id: dict[str, list[Node]] = defaultdict(list)  # sorted by path: the first one owns the id
        self.users: dict[str, dict[str, str]] = defaultdict(dict)  # id -> {path of a block naming it: kind}
        self.tags: Counter[str] = Counter()
        self.generation = 0  # bumped on every change: keys caches and diagnostic result ids
        self._stale: dict[str, Staleness] = {}

    # -- updates -------------------------------------------------------------------------

    def load(self, nodes: Iterable[Node]) -> None:
        for node in nodes:
            self.disk[node.path] = node
            if node.path not in self.buffers:
                self._place(node)
        self._changed()

    def update_disk(self, nodes: Iterable[Node], removed: Iterable[str]) -> None:
        for path in removed:
            self.disk.pop(path, None)
            if path not in self.buffers:
                self._place(None, path)
        self.load(nodes)

    def set_buffer(self, node: Node) -> None:
        self.buffers[node.path] = node
        self._place(node)
        self._changed()

    def drop_buffer(self, path: str) -> None:
        if self.buffers.pop(path, None) is not None:
            self._place(self.disk.get(path), path)
            self._changed()

    def _place(self, node: Node | None, path: str | None = None) -> None:
        path = node.path if node is not None else path
        old = self.nodes.pop(path, None)
        if old is not None:
            owners = self.by_id[old.id]
            owners.remove(old)
            if not owners:
                del self.by_id[old.id]
            for ref in old.refs:
                self.users[ref.target].pop(path, None)
            self.tags.subtract(old.tags)
        if node is None:
            return
        self.nodes[path] = node
        bisect.insort(self.by_id[node.id], node, key=lambda n: n.path)
        for ref in node.refs:
            kind = "child" if ref.kind == "parent" else "dependency"
            self.users[ref.target].setdefault(path, kind)
        self.tags.update(node.tags)

    def _changed(self) -> None:
        self.generation += 1
        self._stale.clear()
        self.tags = +self.tags  # drop tags no block uses any more

    # -- questions -----------------------------------------------------------------------

    def owner(self, block_id: str) -> Node | None:
        owners = self.by_id.get(block_id)
        return owners[0] if owners else None

    def owns(self, node: Node) -> bool:
        """Whether `node` is its id's owner: by path, since a closed file parsed again for a
        request is a new Node for the same block."""
        owner = self.owner(node.id)
        return owner is not None and owner.path == node.path

    def dependents(self, block_id: str) -> list[tuple[Node, str]]:
        """The blocks that name this one, with how: "dependency" or "child"."""
        found = [(self.nodes[path], kind) for path, kind in self.users.get(block_id, {}).items() if path in self.nodes]
        return sorted(found, key=lambda pair: pair[0].path)

    def impact(self, block_id: str) -> list[Node]:
        """Every block that would go stale if this one changed: its dependents, transitively."""
        seen: dict[str, Node] = {}
        frontier = [block_id]
        while frontier:
            following = []
            for target in frontier:
                for node, _ in self.dependents(target):
                    if node.id not in seen and node.id != block_id:
                        seen[node.id] = node
                        following.append(node.id)
            frontier = following
        return sorted(seen.values(), key=lambda n: n.path)

    def upstream(self, node: Node) -> list[Node]:
        """The block and everything it is made from, transitively (the node first)."""
        found: dict[str, Node] = {node.id: node}
        frontier = node.inputs
        while frontier:
            following = []
            for dep in frontier:
                owner = self.owner(dep)
                if dep not in found and owner is not None:
                    found[dep] = owner
                    following.extend(owner.inputs)
            frontier = following
        return list(found.values())

    def staleness(self, node: Node) -> Staleness:
        """The block's stale state, from only what it is made from, so it costs the size of
        its history rather than of the project."""
        owns_id = self.owns(node)
        if owns_id and node.id in self._stale:
            return self._stale[node.id]
        upstream = {n.id: n.stale_input() for n in self.upstream(node)}
        if len(upstream) == 1 and upstream[node.id].broken is None:
            return Staleness(FRESH)
        states = compute_staleness(upstream)
        # Every upstream state is exact too (its own inputs are all upstream): keep them.
        self._stale.update(states if owns_id else {k: v for k, v in states.items() if k != node.id})
        return states[node.id]
