"""The index: `project.db`, a SQLite file in WAL mode that several processes share."""

from __future__ import annotations

import contextlib
import datetime
import json
import sqlite3
import threading
from pathlib import Path
from typing import Any, Iterable, Iterator

import orjson

from ..errors import UserError
from . import fresh_schema
from .schema import PAGE_SIZE, migrations
from .sqlite_utils_lean import Database

BUSY_TIMEOUT_S = 30.0


def now_iso() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


class Index:
    def __init__(self, path: Path, project_name: str = "", root: Path | None = None,
                 busy_timeout: float = BUSY_TIMEOUT_S) -> None:
        self.path = path
        self.busy_timeout = busy_timeout
        self.lock = threading.RLock()  # one connection, shared by the threads of one process
        try:
            self.db = Database(self._connect())
            with self.lock:
                # A new index in one script; an existing one migrated (sqlite-utils imported
                # only when a migration is pending).
                if not fresh_schema.create(self.db, migrations):
                    migrations.apply(self.db)
                if root is not None:
                    self._record_project(project_name, root)
        except sqlite3.DatabaseError as error:
            if _is_busy(error):
                raise self._busy() from None
            raise UserError(f"{path}: the index is unreadable ({error}): delete it and run `cinefile sync` to rebuild it") from None

    def _connect(self) -> sqlite3.Connection:
        """The connection and its settings, made in this one place. `self.db` runs plain
        SQL on it: set things up on the connection itself (`conn.create_function`), not
        through sqlite-utils, which a command with nothing changed never imports."""
        conn = sqlite3.connect(str(self.path), timeout=self.busy_timeout, check_same_thread=False)
        conn.execute(f"PRAGMA page_size={PAGE_SIZE}")  # takes effect only before the first table
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    def _busy(self) -> UserError:
        return UserError(f"{self.path}: busy: another cinefile process has been writing to it for "
                         f"{self.busy_timeout:g} s: try again when it is done, or stop it")

    def _record_project(self, name: str, root: Path) -> None:
        row = next(self.db.query("SELECT name, root_path FROM projects WHERE id = 1"), None)
        if row != {"name": name, "root_path": str(root)}:
            # Plain SQL, as sqlite-utils' upsert would write it: a new index never imports it.
            self.db.execute("INSERT INTO projects (id, name, root_path, created_at) VALUES (1, ?, ?, ?) ON CONFLICT (id) "
                            "DO UPDATE SET name = excluded.name, root_path = excluded.root_path, created_at = excluded.created_at",
                            [name, str(root), now_iso()])
            self.db.conn.commit()

    def close(self) -> None:
        with self.lock:  # never under a query another thread is running: sqlite3 would crash
            self.db.close()

    @contextlib.contextmanager
    def write(self) -> Iterator[Database]:
        """One write transaction. BEGIN IMMEDIATE takes the write lock before anything is
        read, so two processes syncing at once wait for each other instead of racing on a
        stale snapshot (sqlite-utils' atomic() begins deferred)."""
        with self.lock:
            try:
                self.db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                if _is_busy(error):
                    raise self._busy() from None
                raise
            try:
                yield self.db
            except BaseException:
                self.db.conn.rollback()
                raise
            else:
                self.db.conn.commit()

    def query(self, sql: str, params: Any = ()) -> list[dict]:
        with self.lock:
            return list(self.db.query(sql, params))

    def block(self, key: str) -> dict | None:
        rows = self.query("SELECT * FROM blocks WHERE key = ? ORDER BY path", [key])
        return rows[0] if rows else None

    def block_at(self, path: str) -> dict | None:
        rows = self.query("SELECT * FROM blocks WHERE path = ?", [path])
        return rows[0] if rows else None

    def blocks(self, where: str = "1", params: Any = ()) -> list[dict]:
        return self.query(f"SELECT * FROM blocks WHERE {where} ORDER BY path", params)

    def hashes(self, keys: Iterable[str] | None = None) -> dict[str, str]:
        """Content hash by id: of every block, or only of the ids in `keys` (one indexed
        lookup, where every block would be a table scan per call)."""
        # Read in reverse so that, for a duplicated id, the first path wins as everywhere else.
        if keys is None:
            rows = self.query("SELECT key, content_hash FROM blocks ORDER BY path DESC")
        else:
            rows = self.query("SELECT key, content_hash FROM blocks WHERE key IN (SELECT value FROM json_each(?)) "
                              "ORDER BY path DESC", [json.dumps(sorted(set(keys)))])
        return {r["key"]: r["content_hash"] for r in rows}

    def error_count(self) -> int:
        """How many errors the project's blocks have, their own and cross-file, from the
        counts kept beside the problems (none is decoded)."""
        return self.query("SELECT coalesce(sum(errors + link_errors), 0) AS n FROM blocks")[0]["n"]

    def dependents(self, key: str) -> list[dict]:
        return self.query(
            "SELECT b.key, b.path, b.type, b.title, 'dependency' AS kind FROM dependencies d JOIN blocks b ON b.id = d.src_block_id "
            "WHERE d.dst_key = ? UNION SELECT key, path, type, title, 'child' FROM blocks WHERE parent_key = ? ORDER BY 2",
            [key, key],
        )


def problems_of(row: dict) -> list[dict]:
    return decoded_problems(row["problems"], row["link_problems"])


def decoded_problems(problems: str | None, link_problems: str | None) -> list[dict]:
    """A block's problems as the index keeps them: its own, then the cross-file ones."""
    return orjson.loads(problems or "[]") + orjson.loads(link_problems or "[]")


def _is_busy(error: sqlite3.DatabaseError) -> bool:
    return isinstance(error, sqlite3.OperationalError) and "locked" in str(error)
