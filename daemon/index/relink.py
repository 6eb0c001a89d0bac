"""Relink: what a block's state owes to the other blocks, its cross-file problems (unknown
and duplicate ids, parent types, cycles) and its staleness, kept in the index.

After a change, only what the change can reach is worked out again: the changed blocks, the
blocks that share or name their ids, the blocks that already have cross-file problems, the
members of cycles through them, and for staleness their dependents, transitively. The result
is the same as relinking the whole project (a test checks it on random edits); a change that
reaches most of the project (say, the style guide every shot depends on) relinks it all,
a batch of rows at a time (`relink_all`), so that memory holds a compact graph of the
project rather than every row.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Iterator, NamedTuple, Sequence

import orjson
from cinefile.format.links import Suggestions, check_block, check_links, cycle_problems, find_cycles
from cinefile.format.problems import UNREADABLE_CODES, Problem
from cinefile.format.stale import StaleInput, Staleness, broken_reason, compute_staleness, restore

from .read import compact_json, error_count

_COLUMNS = ("id, path, key, type, refs, id_range, content_hash, record, link_problems, state, stale_cause, stale_reason, "
            "problems, link_errors")
# A quick look for an unreadable problem in a block's problems JSON, before decoding it: most
# blocks with problems have only warnings, and decoding 10,000 of them took 50 ms (measured).
_UNREADABLE_IN_JSON = re.compile(rf'"code":\s*"(?:{"|".join(map(re.escape, sorted(UNREADABLE_CODES)))})"')
# Past this share of the project's ids, one pass over everything is cheaper than following edges.
FULL_RELINK_SHARE = 0.25
# Rows `relink_all` reads, checks and writes at a time. Between batches it keeps only a compact
# graph of the project (ids, types, references, hashes): at 100,000 blocks, holding every row
# and its decoded references at once was 250 MB of a cold sync's 395 MB peak (measured).
RELINK_BATCH = 5_000


@dataclass
class _LinkNode:
    path: str
    id: str
    type: str
    id_range: list[int]
    refs: list[list]  # Ref.to_json() lists; check_links reads them like Refs


def _link_node(row: tuple) -> _LinkNode:
    return _LinkNode(row[1], row[2], row[3], orjson.loads(row[5]), orjson.loads(row[4]))


def _encode(problems) -> tuple[str, int]:
    """A block's cross-file problems as stored: their JSON, and how many are errors."""
    return (compact_json([p.to_json() for p in problems]), error_count(problems)) if problems else ("[]", 0)


def _stale_input(row: tuple, inputs: Sequence[str]) -> StaleInput:
    """What staleness needs of a row: `inputs` are its references' targets, each once."""
    return StaleInput(row[6], inputs, orjson.loads(row[7]) if row[7] else None, broken_reason_of(row[12]))


def _inputs(refs: Iterable[list]) -> list[str]:
    return list(dict.fromkeys(ref[0] for ref in refs))


def broken_reason_of(problems: str | None) -> str | None:
    """Why the block cannot be read, from the JSON of the file's own problems as the index
    keeps it (it keeps no `readable` flag: the problems say it, see UNREADABLE_CODES)."""
    if not problems or not _UNREADABLE_IN_JSON.search(problems):
        return None
    return broken_reason(Problem.from_json(p) for p in json.loads(problems))


def relink_all(db) -> list[str]:
    """Recompute cross-file problems and staleness for the whole project; returns the paths
    whose values changed (in path order).

    The same as `link_all` over every row, in bounded memory: a first pass builds the
    project's graph (`_Graph`) from batches of rows, which gives the cycles and the
    staleness of every id; a second pass checks and writes one batch of rows at a time."""
    graph = _Graph.read(db)
    found = find_cycles(graph.edges)
    cycles = cycle_problems(found, _nodes_by_key(_rows_by_key(db, {key for cycle in found for key in cycle})))
    states = compute_staleness(graph.stale_inputs)
    owners = graph.owners
    suggest = Suggestions(_owners_typed_ids(owners))
    del graph  # its references and hashes: `states` and `owners` hold all that is still needed
    relinked: list[str] = []
    for rows in _batches_by_path(db):
        results = []
        for row in rows:
            node = _link_node(row)
            problems = check_block(node, owners, suggest)
            if node.path in cycles:
                problems.append(cycles[node.path])
            results.append((row, _encode(problems), states[node.id]))
        relinked += _store(db, results)
    link_ids(db)
    return relinked


class _Owner(NamedTuple):
    """A block as `check_block` reads the blocks of an id: it names a block's twins by path,
    and reads the type of an id's first block. A block alone with its id is never named: its
    path is not kept, and the owners of every such id of one type are one shared tuple."""
    path: str | None
    type: str


class _Graph:
    """The whole project as linking needs it, read in batches: the blocks of each id
    (`_Owner`s, in path order), each id's references (its last block's, as `check_links`
    takes them) and what staleness needs of its first block. Ids and targets are interned,
    so that each id's text is held once however many blocks name it."""

    def __init__(self) -> None:
        self.owners: dict[str, Sequence[_Owner]] = {}
        self.edges: dict[str, Sequence[str]] = {}
        self.stale_inputs: dict[str, StaleInput] = {}
        self.shared: set[str] = set()  # ids held by more than one block
        self.alone: dict[str, tuple[_Owner]] = {}  # by type

    @classmethod
    def read(cls, db) -> _Graph:
        graph = cls()
        cursor = db.execute(f"SELECT {_COLUMNS} FROM blocks ORDER BY path")  # nothing writes until it is read
        while rows := cursor.fetchmany(RELINK_BATCH):
            for row in rows:
                graph.add(row)
        graph.name_twins(db)
        return graph

    def add(self, row: tuple) -> None:
        key = sys.intern(row[2])
        # A tuple of the targets, each once: `find_cycles` follows a repeated target once anyway.
        targets = tuple(sys.intern(target) for target in _inputs(orjson.loads(row[4])))
        self.edges[key] = targets
        if key in self.owners:
            self.shared.add(key)
            return
        type_ = row[3]
        if type_ not in self.alone:
            self.alone[type_] = (_Owner(None, type_),)
        self.owners[key] = self.alone[type_]
        self.stale_inputs[key] = _stale_input(row, targets)

    def name_twins(self, db) -> None:
        """The paths of the blocks of every id that several blocks share, once all are read."""
        twins: dict[str, list[_Owner]] = defaultdict(list)
        for key, path, type_ in db.execute("SELECT key, path, type FROM blocks WHERE key IN (SELECT value FROM json_each(?)) "
                                           "ORDER BY path", [json.dumps(sorted(self.shared))]):
            twins[key].append(_Owner(path, type_))
        self.owners.update(twins)


def _owners_typed_ids(owners: dict[str, Sequence[_Owner]]) -> Iterator[tuple[str, str]]:
    """(id, type) of every block, in the order `check_links` offers them as suggestions."""
    return ((key, owner.type) for key, blocks in owners.items() for owner in blocks)


def _batches_by_path(db) -> Iterator[list[tuple]]:
    """Every row in path order, `RELINK_BATCH` at a time; each batch is read after the one
    before was written, so no read is open while the batch is stored."""
    after = ""
    while rows := db.execute(f"SELECT {_COLUMNS} FROM blocks WHERE path > ? ORDER BY path LIMIT ?",
                             [after, RELINK_BATCH]).fetchall():
        yield rows
        after = rows[-1][1]


def _nodes_by_key(by_key: dict[str, list[tuple]]) -> dict[str, list[_LinkNode]]:
    return {key: [_link_node(row) for row in owners] for key, owners in by_key.items()}


def link_all(rows: list[tuple]) -> list[tuple[tuple, tuple[str, int], Staleness]]:
    """(row, its cross-file problems (`_encode`), its staleness) for every row (in `_COLUMNS`
    order, sorted by path) of a whole project: from the index, or from a first sync's reads
    before they are written."""
    nodes = [_link_node(r) for r in rows]
    problems = check_links(nodes)
    stale_inputs: dict[str, StaleInput] = {}
    for row, node in zip(rows, nodes):
        if node.id not in stale_inputs:
            stale_inputs[node.id] = _stale_input(row, _inputs(node.refs))
    states = compute_staleness(stale_inputs)
    return [(row, _encode(problems.get(node.path)), states[node.id]) for row, node in zip(rows, nodes)]


def link_ids(db) -> None:
    """Point parent_id and dependencies' dst_block_id at the block owning each id (the first by path)."""
    db.execute("UPDATE blocks SET parent_id = (SELECT p.id FROM blocks AS p WHERE p.key = blocks.parent_key "
               "ORDER BY p.path LIMIT 1)")  # every row: a parent taken out must clear parent_id too
    db.execute("UPDATE dependencies SET dst_block_id = (SELECT b.id FROM blocks AS b WHERE b.key = dependencies.dst_key "
               "ORDER BY b.path LIMIT 1)")


def relink_changed(db, keys: Iterable[str]) -> list[str]:
    """Relink after the blocks with these ids (before and after the change) were added,
    changed or removed; returns the paths whose values changed."""
    keys = set(keys)
    if not keys:
        return []
    limit = FULL_RELINK_SHARE * db.execute("SELECT count(*) FROM blocks").fetchone()[0]
    stale_keys = _dependents(db, keys, limit)
    if stale_keys is None:
        return relink_all(db)
    link_rows, cycles = _link_scope(db, keys)
    by_key = _rows_by_key(db, set(stale_keys) | {ref[0] for row in link_rows for ref in _link_node(row).refs}
                          | {row[2] for row in link_rows})
    problems = _link_problems(db, link_rows, cycles, by_key)
    states = _states(db, stale_keys, by_key)
    updates: dict[int, tuple] = {}
    for row in link_rows:
        updates[row[0]] = (row, problems.get(row[1], ("[]", 0)), states.get(row[2]))
    for key in stale_keys:
        for row in by_key.get(key, ()):
            if row[0] not in updates:
                updates[row[0]] = (row, (row[8], row[13]), states[key])
    relinked = _store(db, [(row, found, state if state is not None else restore(row[9], row[10], row[11]))
                           for row, found, state in updates.values()])
    marks = json.dumps(sorted(keys))
    changed_ids = "SELECT id FROM blocks WHERE key IN (SELECT value FROM json_each(?))"
    db.execute("UPDATE blocks SET parent_id = (SELECT p.id FROM blocks AS p WHERE p.key = blocks.parent_key "
               "ORDER BY p.path LIMIT 1) WHERE id IN "
               f"(SELECT id FROM blocks WHERE parent_key IN (SELECT value FROM json_each(?)) UNION {changed_ids})", [marks, marks])
    # Two statements, each on its own index (dependencies has no rowid to gather both by).
    for where in ("dst_key IN (SELECT value FROM json_each(?))", f"src_block_id IN ({changed_ids})"):
        db.execute("UPDATE dependencies SET dst_block_id = (SELECT b.id FROM blocks AS b WHERE b.key = dependencies.dst_key "
                   f"ORDER BY b.path LIMIT 1) WHERE {where}", [marks])
    return sorted(relinked)


def _store(db, results: list[tuple[tuple, tuple[str, int], Staleness]]) -> list[str]:
    updates, relinked = [], []
    for row, (link_problems, link_errors), staleness in results:
        values = (link_problems, staleness.state, staleness.cause, staleness.reason)
        if values != tuple(row[8:12]) or link_errors != row[13]:
            updates.append((*values, link_errors, row[0]))
            relinked.append(row[1])
    if updates:
        db.conn.executemany("UPDATE blocks SET link_problems = ?, state = ?, stale_cause = ?, stale_reason = ?, "
                            "link_errors = ? WHERE id = ?", updates)
    return relinked


def _select(db, where: str, *params) -> list[tuple]:
    return db.execute(f"SELECT {_COLUMNS} FROM blocks WHERE {where} ORDER BY path", params).fetchall()


def _rows_by_key(db, keys: set[str]) -> dict[str, list[tuple]]:
    """Every block with one of these ids, in path order (the first one is the id's owner)."""
    found: dict[str, list[tuple]] = defaultdict(list)
    for row in _select(db, "key IN (SELECT value FROM json_each(?))", json.dumps(sorted(keys))):
        found[row[2]].append(row)
    return found


def _dependents(db, keys: set[str], limit: float) -> list[str] | None:
    """These ids and every id made from them, transitively; None once there are more than
    `limit` of them."""
    seen, frontier = set(keys), sorted(keys)
    while frontier:
        if len(seen) > limit:
            return None
        marks = json.dumps(frontier)
        rows = db.execute(
            "SELECT b.key FROM dependencies AS d JOIN blocks AS b ON b.id = d.src_block_id "
            "WHERE d.dst_key IN (SELECT value FROM json_each(?)) "
            "UNION SELECT key FROM blocks WHERE parent_key IN (SELECT value FROM json_each(?))", [marks, marks]).fetchall()
        frontier = sorted({key for (key,) in rows} - seen)
        seen.update(frontier)
    return sorted(seen) if len(seen) <= limit else None


def _link_scope(db, keys: set[str]) -> tuple[list[tuple], list[list[str]]]:
    """The blocks whose cross-file problems the change can alter: those with a changed id,
    those naming one, those with such problems already (a cycle broken, a suggestion for an
    unknown id that a new block may change), and the members of any cycle through them."""
    marks = json.dumps(sorted(keys))
    # One indexed lookup per reason (an OR of them would scan the table).
    rows = {row[0]: row for row in _select(
        db, "id IN (SELECT id FROM blocks WHERE key IN (SELECT value FROM json_each(?)) "
            "UNION SELECT id FROM blocks WHERE parent_key IN (SELECT value FROM json_each(?)) "
            "UNION SELECT src_block_id FROM dependencies WHERE dst_key IN (SELECT value FROM json_each(?)) "
            "UNION SELECT id FROM blocks WHERE link_problems IS NOT NULL AND link_problems != '[]')", marks, marks, marks)}
    cycles = _cycles_from(db, {row[2] for row in rows.values()})
    for members in _rows_by_key(db, {key for cycle in cycles for key in cycle}).values():
        rows.update((row[0], row) for row in members)
    return sorted(rows.values(), key=lambda row: row[1]), cycles


def _cycles_from(db, keys: set[str]) -> list[list[str]]:
    """The cycles through these ids. A block's cycle lies among the blocks it reaches, so
    the graph of everything reachable from them holds every such cycle whole."""
    reached: dict[str, list[tuple]] = {}
    frontier = set(keys)
    while frontier:
        found = _rows_by_key(db, frontier)
        reached.update(found)
        frontier = {ref[0] for rows in found.values() for row in rows for ref in _link_node(row).refs} - reached.keys()
    ordered = sorted((row for rows in reached.values() for row in rows), key=lambda row: row[1])
    return find_cycles({row[2]: [ref[0] for ref in _link_node(row).refs] for row in ordered})


def _link_problems(db, rows: list[tuple], cycles: list[list[str]],
                   by_key: dict[str, list[tuple]]) -> dict[str, tuple[str, int]]:
    nodes = _nodes_by_key(by_key)
    suggest = Suggestions(_typed_ids(db))
    problems = {row[1]: check_block(_link_node(row), nodes, suggest) for row in rows}
    for path, problem in cycle_problems(cycles, nodes).items():
        problems[path].append(problem)
    return {path: _encode(found) for path, found in problems.items()}


def _typed_ids(db) -> Iterator[tuple[str, str]]:
    """(id, type) of every block in the project, read from the index only when a suggestion needs them."""
    yield from db.execute("SELECT DISTINCT key, type FROM blocks")


def _states(db, stale_keys: list[str], by_key: dict[str, list[tuple]]) -> dict[str, Staleness]:
    """Staleness of the ids a change can reach; the ids they are made from that it cannot
    reach keep the state the index has for them."""
    nodes: dict[str, StaleInput] = {}
    for key in sorted(stale_keys, key=lambda k: by_key[k][0][1] if by_key.get(k) else ""):
        if by_key.get(key):
            row = by_key[key][0]
            nodes[key] = _stale_input(row, _inputs(_link_node(row).refs))
    inputs = {dep for node in nodes.values() for dep in node.inputs} - nodes.keys()
    known = {}
    for key, owners in _rows_by_key(db, inputs).items():
        row = owners[0]
        nodes[key] = StaleInput(row[6], (), None)
        known[key] = restore(row[9], row[10], row[11])
    states = compute_staleness(nodes, known)
    return {key: states[key] for key in stale_keys if key in states}
