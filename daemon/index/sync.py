"""Sync: the one code path that brings the index in line with the folder.

It is a diff. The folder walk is compared with the index by mtime and size, then by the
file's hash; what differs is parsed and applied in one transaction, with a history row for
every change. The CLI, the watcher and the language server all call `sync`.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from ..project import Project
from .asset_index import link_assets
from .db import Index, now_iso
from .paused_gc import paused_gc
from .read import BLOCK_COLUMNS, Read, compact_json
from .relink import link_all, relink_all, relink_changed
from .texts import digest, store
from .walk import FileStat, walk

Progress = Callable[[int, int], None]
# From this many files, a first sync writes as it reads (`_first_in_batches`).
STREAM_FROM = 20_000
_WRITE_BATCH = 2_000
# SQLite's page cache while a first sync of STREAM_FROM files or more writes: the index grows
# past the default 2 MB at once, and its indexes are written all over (100,000 blocks: 13.4 s
# on average with the default, 11.8 s with 64 MB, measured alternately; a 10,000-block one
# gained nothing). Given back when the sync is done.
BIG_FIRST_SYNC_CACHE_KB = 65_536
_STAT_COLUMNS = "id, path, key, mtime_ns, size, file_hash, version"
_NEW_BLOCK_COLUMNS = (*BLOCK_COLUMNS, "updated_at", "id", "created_at", "version",
                      "link_problems", "link_errors", "state", "stale_cause", "stale_reason", "parent_id")
_UNLINKED = (None, 0, None, None, None, None)
# Where relink's columns (type, refs, id_range, content_hash, record) sit in Read.values.
_LINK_VALUES = [BLOCK_COLUMNS.index(name) for name in ("type", "refs", "id_range", "content_hash", "record")]
_PROBLEMS = BLOCK_COLUMNS.index("problems")  # relink's last column: they tell a broken block
_HISTORY_COLUMNS = ("block_id", "action", "timestamp", "block_key", "version", "path", "payload", "text_hash",
                    "previous_hash")
_NO_PAYLOAD = "{}"  # how and by are added to it when cinefile made the change (Core.apply)


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    # Blocks whose stale state or cross-file problems changed, by path.
    relinked: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.modified or self.removed or self.renamed)

    def summary(self) -> str:
        return (f"+{len(self.added)} ~{len(self.modified)} -{len(self.removed)} >{len(self.renamed)}"
                f" in {self.elapsed:.2f}s")

    def to_json(self) -> dict:
        return {"added": self.added, "modified": self.modified, "removed": self.removed,
                "renamed": [list(pair) for pair in self.renamed], "refused": self.refused,
                "relinked": self.relinked, "elapsed": round(self.elapsed, 4)}


def sync(project: Project, index: Index, *, scope: Iterable[str] | None = None,
         progress: Progress | None = None, relink: bool = False, reread: bool = False) -> SyncReport:
    """Bring the index in line with the folder (or only the paths in `scope`).

    `reread` reads every file in scope even when its mtime and size look unchanged: the
    watcher knows they changed, and a rewrite within one mtime tick keeps the same stat."""
    started = time.perf_counter()
    report = SyncReport()
    scope = None if scope is None else sorted(set(scope))
    with paused_gc(), index.write() as db:
        walked = walk(project, scope)
        report.refused = walked.refused
        stats = _indexed_stats(db, scope)
        unchanged = not reread and walked.files == stats  # compared in C: the usual case, nothing to read
        to_read = [] if unchanged else [(rel, st) for rel, st in walked.files.items() if reread or stats.get(rel) != st]
        # Whole rows only of the files read again or gone (a dict for every row took 0.25 s at
        # 100,000 blocks with nothing changed, measured).
        indexed = {} if unchanged else _rows_at(db, [rel for rel, _ in to_read if rel in stats] +
                                                [rel for rel in stats if rel not in walked.files])
        first = scope is None and not stats  # an empty index: every block is new
        if first and len(to_read) >= STREAM_FROM:
            with _page_cache(db, BIG_FIRST_SYNC_CACHE_KB):
                _first_in_batches(db, project, to_read, progress, report)
        else:
            reads: dict[str, Read] = {}
            for rel, read in read_many(project.root, to_read, progress):
                if read is None:
                    walked.files.pop(rel, None)  # deleted mid-sync: as if never seen
                else:
                    reads[rel] = read
            _apply(db, indexed, walked.files, reads, report, now_iso(), first=first)
            _link_assets(db, project, {path: read for path, read in reads.items() if read.assets or not first}, first=first)
            if first:
                report.relinked = list(report.added)  # linked before they were written
            elif report.changed or relink or _needs_relink(db):
                report.relinked = _relink(db, None if relink else _changed_keys(indexed, reads, report))
    report.elapsed = time.perf_counter() - started
    return report


@contextlib.contextmanager
def _page_cache(db, kilobytes: int) -> Iterator[None]:
    """SQLite's page cache at `kilobytes` for a while, then as it was (which frees the rest)."""
    before = db.execute("PRAGMA cache_size").fetchone()[0]
    db.execute(f"PRAGMA cache_size=-{int(kilobytes)}")
    try:
        yield
    finally:
        db.execute(f"PRAGMA cache_size={int(before)}")


def read_many(root, to_read: list[tuple[str, FileStat]], progress: Progress | None) -> Iterator[tuple[str, Read | None]]:
    """`read_pool.read_many`, imported when there is a file to read: its workers bring
    multiprocessing, which a sync with nothing changed does without."""
    if not to_read:
        return iter(())
    from .read_pool import read_many as read_in_workers

    return read_in_workers(root, to_read, progress)


def _first_in_batches(db, project: Project, to_read: list[tuple[str, FileStat]], progress: Progress | None,
                      report: SyncReport) -> None:
    """A first sync of a big project: each batch of reads written as it comes (rows, history,
    texts, dependencies), then the whole project linked from the index, a batch of rows at
    a time (`relink_all`). Memory holds one batch of reads instead of every block (100,000
    blocks: 628 MB at its peak before);
    linking from the index rather than from the reads costs more time, which is why smaller
    projects are linked before they are written."""
    now, batch = now_iso(), {}
    for rel, read in read_many(project.root, to_read, progress):
        if read is not None:
            batch[rel] = read
        if len(batch) == _WRITE_BATCH:
            _write_new(db, project, batch, report, now)
            batch = {}
    _write_new(db, project, batch, report, now)
    relink_all(db)
    report.relinked = list(report.added)


def _write_new(db, project: Project, reads: dict[str, Read], report: SyncReport, now: str) -> None:
    _apply(db, {}, reads, reads, report, now)
    _link_assets(db, project, {path: read for path, read in reads.items() if read.assets}, first=True)


def _link_assets(db, project: Project, reads: dict[str, Read], first: bool = False) -> None:
    """Asset links follow the frontmatter of every block read."""
    paths = sorted(reads)
    ids: dict[str, int] = {}
    for start in range(0, len(paths), 500):
        chunk = paths[start : start + 500]
        marks = ",".join("?" * len(chunk))
        ids.update((path, block_id) for block_id, path in db.execute(f"SELECT id, path FROM blocks WHERE path IN ({marks})", chunk))
    link_assets(db, project.assets, [(ids[path], reads[path].assets) for path in paths if path in ids], first=first)


def _indexed_stats(db, scope: list[str] | None) -> dict[str, tuple[int, int]]:
    """(mtime_ns, size) by path of every indexed block, or of those in scope: what the walk's
    stats are compared with."""
    if scope is None:
        return {path: (mtime_ns, size) for path, mtime_ns, size in db.execute("SELECT path, mtime_ns, size FROM blocks")}
    # One indexed lookup per scope entry: the path itself, or everything under it as a folder
    # ('0' follows '/', so the range holds exactly the paths that start with "rel/").
    return {path: (mtime_ns, size) for rel in scope
            for path, mtime_ns, size in db.execute("SELECT path, mtime_ns, size FROM blocks WHERE path = ? OR (path > ? AND path < ?)",
                                                   [rel, rel + "/", rel + "0"])}


def _rows_at(db, paths: list[str]) -> dict[str, dict]:
    """The indexed rows (their stat columns) at these paths, by path."""
    if not paths:
        return {}
    return _by_path(db.execute(f"SELECT {_STAT_COLUMNS} FROM blocks WHERE path IN (SELECT value FROM json_each(?))",
                               [json.dumps(paths)]))


def _by_path(rows) -> dict[str, dict]:
    columns = [c[0] for c in rows.description]
    return {row[1]: dict(zip(columns, row)) for row in rows.fetchall()}


def _needs_relink(db) -> bool:
    return db.execute("SELECT 1 FROM blocks WHERE state IS NULL LIMIT 1").fetchone() is not None


def _previous_hashes(db, block_ids: list[int]) -> dict[int, bytes | None]:
    """The key of the text each block's last history row saw, in one query: a query per block
    was a third of the sync after marking 5,000 blocks fresh (measured)."""
    if not block_ids:
        return {}
    return dict(db.execute("SELECT block_id, text_hash FROM history WHERE id IN (SELECT max(id) FROM history "
                           "WHERE block_id IN (SELECT value FROM json_each(?)) GROUP BY block_id)",
                           [json.dumps(block_ids)]).fetchall())


def _apply(db, indexed: dict[str, dict], walked: dict[str, FileStat], reads: dict[str, Read],
           report: SyncReport, now: str, first: bool = False) -> None:
    """Write what changed. On a `first` sync every block is new, and is linked (cross-file
    problems, staleness) before it is written rather than updated after."""
    history: list[tuple] = []
    texts: list[tuple[bytes, str | bytes]] = []  # (digest, packed) of every text a history row names
    removed = {path: row for path, row in indexed.items() if path not in walked}
    new = {path for path in reads if path not in indexed}
    renames = _pair_renames(removed, new, reads)
    previous = _previous_hashes(db, [row["id"] for path, row in indexed.items()
                                     if path in removed or (path in reads and row["file_hash"] != reads[path].file_hash)])

    updates: list[tuple] = []  # (the row's new values, its id): one statement for them all
    for path, read in reads.items():
        row = indexed.get(path)
        if row is None:
            continue
        if row["file_hash"] == read.file_hash:  # touched, not changed
            db.execute("UPDATE blocks SET mtime_ns = ?, size = ? WHERE id = ?", [read.stat.mtime_ns, read.stat.size, row["id"]])
            continue
        version = row["version"] + 1
        updates.append((*read.values, now, version, row["id"]))
        history.append(_history(row["id"], "update", read.key, version, path, now,
                                previous=previous.get(row["id"]), text=_text(read, texts)))
        report.modified.append(path)

    for old_path, new_path in renames:
        row, read = removed.pop(old_path), reads[new_path]
        changed = row["file_hash"] != read.file_hash
        version = row["version"] + 1
        updates.append((*read.values, now, version, row["id"]))
        history.append(_history(row["id"], "rename", read.key, version, new_path, now,
                                previous=previous.get(row["id"]) if changed else None, text=_text(read, texts),
                                moved_from=old_path))
        report.renamed.append((old_path, new_path))
        new.discard(new_path)

    if updates:
        db.conn.executemany(_UPDATE_SQL, updates)
    for path, row in removed.items():
        history.append(_history(row["id"], "delete", row["key"], row["version"] + 1, path, now,
                                previous=previous.get(row["id"]), text=None))
        report.removed.append(path)
    if removed:
        ids = [row["id"] for row in removed.values()]
        marks = ",".join("?" * len(ids))
        db.execute(f"DELETE FROM dependencies WHERE src_block_id IN ({marks})", ids)
        db.execute(f"DELETE FROM block_assets WHERE block_id IN ({marks})", ids)
        db.execute(f"DELETE FROM blocks WHERE id IN ({marks})", ids)

    if new:
        versions = _last_versions(db, [reads[path].key for path in new])
        next_id = (db.execute("SELECT max(id) FROM blocks").fetchone()[0] or 0) + 1
        paths = sorted(new)
        owners = _owners(reads, paths, next_id) if first else {}
        # Other new blocks are linked by relink after the insert.
        links = _first_links_meanwhile(reads, paths, next_id, owners) if first else lambda: {}
        rows, created = [], []
        for block_id, path in enumerate(paths, next_id):
            read = reads[path]
            version = versions.get(read.key, 0) + 1
            rows.append((*read.values, now, block_id, now, version))
            history.append(_history(block_id, "create", read.key, version, path, now, text=_text(read, texts)))
            created.append((block_id, read.dependencies))
            report.added.append(path)
        _write_dependencies(db, created, replace=False, owners=owners)

    changed = [(row["id"], reads[path].dependencies) for path in report.modified for row in [indexed[path]]]
    changed += [(indexed_row["id"], reads[new_path].dependencies) for old, new_path in report.renamed
                for indexed_row in [indexed[old]]]
    _write_dependencies(db, changed, replace=True)
    if history:
        store(db, texts)
        _insert_many(db, "history", _HISTORY_COLUMNS, history)
    if new:  # last, so that a first sync's links are worked out meanwhile
        linked = links()
        _insert_many(db, "blocks", _NEW_BLOCK_COLUMNS, [(*row, *linked.get(row[1], _UNLINKED)) for row in rows])


def _owners(reads: dict[str, Read], paths: list[str], next_id: int) -> dict[str, int]:
    """The block id owning each id: the first by path."""
    owners: dict[str, int] = {}
    for block_id, path in enumerate(paths, next_id):
        owners.setdefault(reads[path].key, block_id)
    return owners


def _first_links(reads: dict[str, Read], paths: list[str], next_id: int, owners: dict[str, int]) -> dict[str, tuple]:
    """The link columns of every block, by path: link_problems, link_errors, state,
    stale_cause, stale_reason and parent_id."""
    rows = [(block_id, path, reads[path].key, *(reads[path].values[i] for i in _LINK_VALUES), None, None, None, None,
             reads[path].values[_PROBLEMS], 0)
            for block_id, path in enumerate(paths, next_id)]
    parent = BLOCK_COLUMNS.index("parent_key")
    return {row[1]: (problems, errors, state.state, state.cause, state.reason, owners.get(reads[row[1]].values[parent]))
            for row, (problems, errors), state in link_all(rows)}


def _first_links_meanwhile(reads: dict[str, Read], paths: list[str], next_id: int, owners: dict[str, int]):
    """`_first_links`, worked out in a forked child while this process writes history and
    dependencies, when the project is big enough and forking is safe (measured: 0.1 s less
    of a 10,000-block first sync); a function that returns it."""
    from .forked import cores_to_fork, run_in_child
    from .read_pool import MIN_FILES_FOR_WORKERS

    if len(paths) >= MIN_FILES_FOR_WORKERS and cores_to_fork() > 1:
        return run_in_child(_first_links, reads, paths, next_id, owners)
    return lambda: _first_links(reads, paths, next_id, owners)


def _insert_many(db, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """One executemany. The schema and its migrations go through sqlite-utils; this hot path
    does not, as insert_all's per-value coercion made a cold sync of 10,000 blocks several
    times slower (profiled)."""
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    db.conn.executemany(sql, rows)


# Every changed block's row is written whole, by one statement for them all: its values
# (BLOCK_COLUMNS), when, its version, its id.
_UPDATE_SQL = f"UPDATE blocks SET {', '.join(f'{name} = ?' for name in (*BLOCK_COLUMNS, 'updated_at', 'version'))} WHERE id = ?"


def _text(read: Read, texts: list[tuple[bytes, str | bytes]]) -> bytes | None:
    """The key of the read's text, which is added to those to store; None when it is not text."""
    if read.stored is None:
        return None
    key = digest(read.file_hash)
    texts.append((key, read.stored))
    return key


def _history(block_id: int, action: str, key: str, version: int, path: str, now: str, *, text: bytes | None,
             previous: bytes | None = None, moved_from: str | None = None) -> tuple:
    """A history row; the texts it names by key are in `texts`."""
    payload = compact_json({"from": moved_from}) if moved_from else _NO_PAYLOAD
    return (block_id, action, now, key, version, path, payload, text, previous)


def _pair_renames(removed: dict[str, dict], new: set[str], reads: dict[str, Read]) -> list[tuple[str, str]]:
    """A rename is the same id at a new path, or failing that the same bytes."""
    if not removed or not new:
        return []
    by_key = {row["key"]: path for path, row in removed.items()}
    by_hash = {row["file_hash"]: path for path, row in removed.items()}
    pairs, taken = [], set()
    for new_path in sorted(new):
        read = reads[new_path]
        old = by_key.get(read.key) if read.readable else None
        if old is None or old in taken:
            old = by_hash.get(read.file_hash)
        if old is not None and old not in taken:
            taken.add(old)
            pairs.append((old, new_path))
    return pairs


def _last_versions(db, keys: list[str]) -> dict[str, int]:
    if db.execute("SELECT 1 FROM history WHERE action = 'delete' LIMIT 1").fetchone() is None:
        return {}  # versions restart only for ids that were deleted before
    rows = db.execute("SELECT block_key, max(version) FROM history GROUP BY block_key").fetchall()
    wanted = set(keys)
    return {key: version for key, version in rows if key in wanted}


def _write_dependencies(db, blocks: list[tuple[int, tuple]], *, replace: bool, owners: dict[str, int] | None = None) -> None:
    """`blocks`: (block id, its (target, relation) dependencies). `owners` (id -> block id,
    on a first sync) links each to its target here; otherwise relink does."""
    if not blocks:
        return
    if replace:
        db.conn.executemany("DELETE FROM dependencies WHERE src_block_id = ?", [(block_id,) for block_id, _ in blocks])
    owners = owners or {}
    rows = {}
    for block_id, dependencies in blocks:
        for target, relation in dependencies:
            rows.setdefault((block_id, target), (block_id, target, relation, owners.get(target)))
    if rows:
        _insert_many(db, "dependencies", ("src_block_id", "dst_key", "type", "dst_block_id"), list(rows.values()))


def _relink(db, keys: set[str] | None) -> list[str]:
    """Relink what the changed ids can reach, or the whole project when `keys` is None or
    blocks were never linked (an index from before a crash, or a first sync)."""
    if keys is None or not keys:
        return relink_all(db)
    relinked = relink_changed(db, keys)
    return relinked if not _needs_relink(db) else relink_all(db)


def _changed_keys(indexed: dict[str, dict], reads: dict[str, Read], report: SyncReport) -> set[str]:
    """The ids of every block added, changed, moved or removed, before and after."""
    keys = {indexed[path]["key"] for path in report.modified + report.removed}
    keys |= {indexed[old]["key"] for old, _ in report.renamed}
    keys |= {reads[path].key for path in report.added + report.modified}
    keys |= {reads[new].key for _, new in report.renamed}
    return keys


def open_index(project: Project) -> Index:
    return Index(project.db_path, project.config.name, project.root)

