"""Relink: what a block's state owes to the other blocks, its cross-file problems (unknown
and duplicate ids, parent types, cycles) and its staleness, kept in the index.

After a change, only what the change can reach is worked out again: the changed blocks, the
blocks that share or name their ids, the blocks that already have cross-file problems, the
members of cycles through them, and for staleness their dependents, transitively. The result
is the same as relinking the whole project (a test checks it on random edits); a change that
reaches most of the project (say, the style guide every shot depends on) relinks it all.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Iterator

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


@dataclass
class _LinkNode:
    path: str
    id: str
    type: str
    id_range: list[int]
    refs: list[list]  # Ref.to_json() lists; check_links reads them like Refs


def _link_node(row: tuple) -> _LinkNode:
    return _LinkNode(row[1], row[2], row[3], json.loads(row[5]), json.loads(row[4]))


def _encode(problems) -> tuple[str, int]:
    """A block's cross-file problems as stored: their JSON, and how many are errors."""
    return (compact_json([p.to_json() for p in problems]), error_count(problems)) if problems else ("[]", 0)


def _stale_input(row: tuple, node: _LinkNode) -> StaleInput:
    return StaleInput(row[6], list(dict.fromkeys(ref[0] for ref in node.refs)), json.loads(row[7]) if row[7] else None,
                      _broken(row[12]))


def _broken(problems: str | None) -> str | None:
    """Why the block cannot be read, from the file's own problems (the index keeps no `readable`
    flag: the problems say it, see UNREADABLE_CODES)."""
    if not problems or not _UNREADABLE_IN_JSON.search(problems):
        return None
    return broken_reason(Problem.from_json(p) for p in json.loads(problems))


def relink_all(db) -> list[str]:
    """Recompute cross-file problems and staleness for the whole project; returns the paths
    whose values changed."""
    rows = db.execute(f"SELECT {_COLUMNS} FROM blocks ORDER BY path").fetchall()
    relinked = _store(db, link_all(rows))
    link_ids(db)
    return relinked


def link_all(rows: list[tuple]) -> list[tuple[tuple, tuple[str, int], Staleness]]:
    """(row, its cross-file problems (`_encode`), its staleness) for every row (in `_COLUMNS`
    order, sorted by path) of a whole project: from the index, or from a first sync's reads
    before they are written."""
    nodes = [_link_node(r) for r in rows]
    problems = check_links(nodes)
    stale_inputs: dict[str, StaleInput] = {}
    for row, node in zip(rows, nodes):
        if node.id not in stale_inputs:
            stale_inputs[node.id] = _stale_input(row, node)
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
    db.execute("UPDATE dependencies SET dst_block_id = (SELECT b.id FROM blocks AS b WHERE b.key = dependencies.dst_key "
               "ORDER BY b.path LIMIT 1) WHERE rowid IN (SELECT rowid FROM dependencies WHERE dst_key IN "
               f"(SELECT value FROM json_each(?)) UNION SELECT rowid FROM dependencies WHERE src_block_id IN ({changed_ids}))",
               [marks, marks])
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
    nodes = {key: [_link_node(row) for row in owners] for key, owners in by_key.items()}
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
            nodes[key] = _stale_input(row, _link_node(row))
    inputs = {dep for node in nodes.values() for dep in node.inputs} - nodes.keys()
    known = {}
    for key, owners in _rows_by_key(db, inputs).items():
        row = owners[0]
        nodes[key] = StaleInput(row[6], (), None)
        known[key] = restore(row[9], row[10], row[11])
    states = compute_staleness(nodes, known)
    return {key: states[key] for key in stale_keys if key in states}
