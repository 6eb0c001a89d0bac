"""The project as the editor sees it: every block from the index, with open buffers laid
over it, kept in memory so that completion, the diagnostics of open blocks and the graph
never touch SQLite.

Loaded once from the index, then updated from sync reports (disk) and from buffer edits.
What every block must answer at any moment (its id, type, title, tags, what it names, its
hashes) is held compactly: interned strings, the (target, kind) pairs of its references
shared between blocks, the references themselves as the index's JSON. What a block is asked
for only when it is shown (the first lines of its body for a hover, its assets, its problems,
where its id is written) is read from the index by path when asked, a lookup by key: holding
the bodies and frontmatter of every block took 4.4 KB a block (440 MB at 100,000, measured).
"""

from __future__ import annotations

import bisect
import sqlite3
import sys
from collections import Counter, defaultdict
from typing import Iterable, Iterator, NamedTuple, Sequence

import orjson
from cinefile.format.block import Block, Ref
from cinefile.format.catalog import phase_of
from cinefile.format.problems import Problem, Range
from cinefile.format.stale import FRESH, StaleInput, Staleness, broken_reason, compute_staleness

from ..index.db import Index

HEAD_LINES = 4
NO_RANGE = Range.of(0, 0)
# Problems only where a block has errors: a block whose frontmatter cannot be read always has
# one, and that is all the model needs of every block's problems (why it is broken).
_NODE_COLUMNS = ("path, key, type, title, tags, refs, content_hash, record, "
                 "CASE WHEN errors > 0 THEN problems END")
_DETAIL_COLUMNS = "content, frontmatter, problems, id_range"
PATHS_PER_QUERY = 500

Link = tuple[str, str]  # (target id, "parent" or "dependency")


class Details(NamedTuple):
    """What a block shows but the model does not keep for every block."""

    head: str  # the first lines of the body, for hovers
    assets: list[dict]
    problems: list[Problem]  # the file's own, from parsing
    id_range: Range


class Node:
    """What the editor needs of one block, from the index or from a parsed file. `refs`,
    `head`, `assets`, `problems`, `id_range` and `block` are each kind's own."""

    __slots__ = ("path", "id", "type", "title", "tags", "links", "content_hash", "record", "broken")
    block: Block | None = None  # the parsed file, for open documents and files parsed for a request

    def __init__(self, path: str, id: str, type: str, title: str, tags: tuple[str, ...], links: tuple[Link, ...],
                 content_hash: str, record: dict[str, str] | None, broken: str | None) -> None:
        self.path, self.id, self.type, self.title, self.tags = path, id, type, title, tags
        self.links, self.content_hash, self.record, self.broken = links, content_hash, record, broken

    @property
    def inputs(self) -> list[str]:
        return list(dict.fromkeys(target for target, _ in self.links))

    @property
    def phase(self) -> str:
        return phase_of(self.type) or ""

    def stale_input(self) -> StaleInput:
        return StaleInput(self.content_hash, self.inputs, self.record, self.broken)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.path!r}, {self.id!r})"


class BlockNode(Node):
    """A block parsed from text: an open buffer, or a closed file parsed for one request."""

    __slots__ = ("block",)

    def __init__(self, block: Block) -> None:
        links = tuple((ref.target, ref.kind) for ref in block.refs)
        super().__init__(block.path, block.id, block.type, block.title, tuple(block.tags), links,
                         block.content_hash, block.record, broken_reason(block.problems))
        self.block = block

    @property
    def refs(self) -> list[Ref]:
        return self.block.refs

    @property
    def head(self) -> str:
        return head_of(self.block.body)

    @property
    def assets(self) -> list[dict]:
        return self.block.assets

    @property
    def problems(self) -> list[Problem]:
        return self.block.problems

    @property
    def id_range(self) -> Range:
        return self.block.id_range


class IndexedNode(Node):
    """A block as the index has it; what it shows is read from the index when asked."""

    __slots__ = ("refs_json", "rows")

    def __init__(self, rows: "IndexRows", refs_json: str, *fields) -> None:
        super().__init__(*fields)
        self.rows, self.refs_json = rows, refs_json

    @property
    def refs(self) -> list[Ref]:
        return [Ref.from_json(ref) for ref in orjson.loads(self.refs_json)]

    @property
    def head(self) -> str:
        return self.rows.details(self.path).head

    @property
    def assets(self) -> list[dict]:
        return self.rows.details(self.path).assets

    @property
    def problems(self) -> list[Problem]:
        return self.rows.details(self.path).problems

    @property
    def id_range(self) -> Range:
        return self.rows.details(self.path).id_range


def head_of(body: str) -> str:
    lines = [line for line in body.strip("\n").splitlines() if line.strip()]
    return "\n".join(lines[:HEAD_LINES])


def node_of_block(block: Block) -> BlockNode:
    return BlockNode(block)


class IndexRows:
    """The model's reads of the index: every block's node, the nodes at some paths after a
    sync, and one block's details when it is shown."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self._links: dict[Link, Link] = {}  # each (target, kind) pair once: a style guide is named 100,000 times

    def nodes(self) -> Iterator[IndexedNode]:
        """Every block, read by one statement (one snapshot of the index) as it is consumed;
        the index's lock is held until the iteration ends."""
        with self.index.lock:
            for row in self.index.db.execute(f"SELECT {_NODE_COLUMNS} FROM blocks"):
                yield self._node(row)

    def nodes_at(self, paths: Sequence[str]) -> list[IndexedNode]:
        found = []
        for start in range(0, len(paths), PATHS_PER_QUERY):
            chunk = list(paths[start:start + PATHS_PER_QUERY])
            with self.index.lock:
                rows = self.index.db.execute(f"SELECT {_NODE_COLUMNS} FROM blocks WHERE path IN ({','.join('?' * len(chunk))})",
                                             chunk).fetchall()
            found += [self._node(row) for row in rows]
        return found

    def details(self, path: str) -> Details:
        """The block's details as the index has them now; none for a block gone since, or
        once the server has closed the index."""
        try:
            with self.index.lock:
                row = self.index.db.execute(f"SELECT {_DETAIL_COLUMNS} FROM blocks WHERE path = ?", [path]).fetchone()
        except sqlite3.ProgrammingError:  # closed at shutdown, under a request still running
            row = None
        if row is None:
            return Details("", [], [], NO_RANGE)
        content, frontmatter, problems, id_range = row
        frontmatter = orjson.loads(frontmatter or "{}")
        assets = frontmatter.get("assets") if isinstance(frontmatter, dict) else None
        return Details(head_of(content or ""), [a for a in assets if isinstance(a, dict)] if isinstance(assets, list) else [],
                       [Problem.from_json(p) for p in orjson.loads(problems or "[]")],
                       Range.from_json(orjson.loads(id_range)) if id_range else NO_RANGE)

    def _node(self, row: tuple) -> IndexedNode:
        path, key, type_name, title, tags, refs, content_hash, record, problems = row
        refs = refs or "[]"
        links = tuple(self._link((ref[0], ref[1])) for ref in orjson.loads(refs))
        broken = broken_reason(Problem.from_json(p) for p in orjson.loads(problems)) if problems else None
        return IndexedNode(self, refs, path, sys.intern(key or ""), sys.intern(type_name or ""), title or "",
                           tuple(sys.intern(tag) for tag in orjson.loads(tags)) if tags and tags != "[]" else (),
                           links, content_hash or "", orjson.loads(record) if record else None, broken)

    def _link(self, pair: Link) -> Link:
        link = self._links.get(pair)
        if link is None:  # the first time: its strings interned, so the target is the id's own string
            link = self._links[pair] = (sys.intern(pair[0]), sys.intern(pair[1]))
        return link


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
            for target, _ in old.links:
                self.users[target].pop(path, None)
            self.tags.subtract(old.tags)
        if node is None:
            return
        self.nodes[path] = node
        bisect.insort(self.by_id[node.id], node, key=lambda n: n.path)
        for target, kind in node.links:
            self.users[target].setdefault(path, "child" if kind == "parent" else "dependency")
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
