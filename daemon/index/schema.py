"""The index's schema, built and changed only through sqlite-utils migrations.

The seven tables of the original design keep their columns; the file format adds the
block's id (`key`), path, hashes, stat, title, phase, problems and staleness, and history
names its texts in `texts` by hash (m005).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3

from cinefile.format.catalog import PHASES
from cinefile.format.problems import ERROR
from .sqlite_utils_lean import Database, Migrations
from .texts import pack, store

migrations = Migrations("cinefile")
# SQLite's page size for the index: set before its first table (Index), or by m006's VACUUM.
PAGE_SIZE = 16384


@migrations()
def m001_initial(db: Database) -> None:
    db["projects"].create(
        {"id": int, "name": str, "created_at": str, "root_path": str},
        pk="id", not_null={"name", "root_path"},
    )
    db["tabs"].create(
        {"id": int, "project_id": int, "name": str, "position": int},
        pk="id", not_null={"name", "position"}, foreign_keys=[("project_id", "projects", "id")],
    )
    db["blocks"].create(
        {
            "id": int, "tab_id": int, "parent_id": int, "type": str, "content": str, "tags": str,
            "version": int, "created_at": str, "updated_at": str,
            # what the file format adds
            "key": str, "path": str, "title": str, "phase": str, "parent_key": str,
            "content_hash": str, "file_hash": str, "mtime_ns": int, "size": int,
            "frontmatter": str, "refs": str, "id_range": str, "record": str,
            "problems": str, "link_problems": str,
            "state": str, "stale_cause": str, "stale_reason": str,
        },
        pk="id", not_null={"type", "version", "path"}, defaults={"version": 1},
        foreign_keys=[("tab_id", "tabs", "id"), ("parent_id", "blocks", "id")],
    )
    db["blocks"].create_index(["path"], unique=True)
    db["blocks"].create_index(["key"])
    db["assets"].create(
        {"id": int, "project_id": int, "hash": str, "path": str, "mime_type": str,
         "size_bytes": int, "created_at": str, "meta_json": str},
        pk="id", not_null={"hash", "path", "mime_type"}, foreign_keys=[("project_id", "projects", "id")],
    )
    db["assets"].create_index(["hash"], unique=True)
    db["block_assets"].create(
        {"block_id": int, "asset_id": int, "role": str, "approved": int},
        pk=("block_id", "asset_id"), foreign_keys=[("block_id", "blocks", "id"), ("asset_id", "assets", "id")],
    )
    db["history"].create(
        {"id": int, "block_id": int, "action": str, "payload": str, "timestamp": str,
         "block_key": str, "version": int, "path": str},
        pk="id", not_null={"action"}, foreign_keys=[("block_id", "blocks", "id")],
    )
    db["history"].create_index(["block_id", "version"])
    db["history"].create_index(["block_key", "version"])
    db["dependencies"].create(
        {"src_block_id": int, "dst_block_id": int, "type": str, "dst_key": str},
        pk=("src_block_id", "dst_key"),
        foreign_keys=[("src_block_id", "blocks", "id"), ("dst_block_id", "blocks", "id")],
    )
    db["dependencies"].create_index(["dst_key"])
    db["tabs"].insert_all({"id": i + 1, "project_id": 1, "name": name, "position": i} for i, name in enumerate(PHASES))


@migrations()
def m002_model_catalog(db: Database) -> None:
    """Model lists fetched from the providers, kept for a while so `generate` need not ask each time."""
    db["model_catalog"].create({"kind": str, "fetched_at": float, "data": str}, pk="kind")


@migrations()
def m003_relink_indexes(db: Database) -> None:
    """What a relink after a change looks up: children by parent id, blocks never linked, and
    blocks with cross-file problems (few: partial indexes stay small)."""
    db["blocks"].create_index(["parent_key"])
    db.execute("CREATE INDEX idx_blocks_unlinked ON blocks(id) WHERE state IS NULL")
    db.execute("CREATE INDEX idx_blocks_link_problems ON blocks(id) WHERE link_problems IS NOT NULL AND link_problems != '[]'")


@migrations()
def m004_filter_indexes(db: Database) -> None:
    """What lists filter by (`cinefile list --type`, the HTTP API's pages): without these a
    filtered page scanned every block (measured: 34 ms p95 at 10,000 blocks)."""
    for column in ("type", "phase", "state"):
        db["blocks"].create_index([column, "path"])


@migrations()
def m005_texts_by_hash(db: Database) -> None:
    """Each version's text once, in `texts` by the hash of its bytes, named by history rows,
    instead of in every row's JSON (an edit carried it twice: the text and the one before);
    and the count of each block's errors beside its problems, so that counting a project's
    errors decodes none of them."""
    db.execute("CREATE TABLE texts (hash BLOB PRIMARY KEY, data NOT NULL) WITHOUT ROWID")
    db.execute("ALTER TABLE history ADD COLUMN text_hash BLOB")
    db.execute("ALTER TABLE history ADD COLUMN previous_hash BLOB")
    db.execute("ALTER TABLE blocks ADD COLUMN errors INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE blocks ADD COLUMN link_errors INTEGER NOT NULL DEFAULT 0")
    _texts_out_of_history(db)
    rows = db.execute("SELECT id, problems, link_problems FROM blocks "
                      "WHERE problems != '[]' OR link_problems != '[]'").fetchall()
    db.conn.executemany("UPDATE blocks SET errors = ?, link_errors = ? WHERE id = ?",
                        [(_errors(problems), _errors(link_problems), block_id) for block_id, problems, link_problems in rows])


def _texts_out_of_history(db: Database, batch: int = 500) -> None:
    """Move the texts of the history rows written before m005 into `texts`, a batch of rows
    at a time (a history can be bigger than memory)."""
    last = 0
    while rows := db.execute("SELECT id, payload FROM history WHERE id > ? ORDER BY id LIMIT ?", [last, batch]).fetchall():
        updates, texts = [], {}
        for history_id, payload in rows:
            data = json.loads(payload or "{}")
            keys = [_keep(texts, data.pop(name, None)) for name in ("text", "previous")]
            data.pop("path", None)  # the row's own column
            updates.append((json.dumps(data, ensure_ascii=False, separators=(",", ":")), *keys, history_id))
        store(db, texts.items())
        db.conn.executemany("UPDATE history SET payload = ?, text_hash = ?, previous_hash = ? WHERE id = ?", updates)
        last = rows[-1][0]


def _keep(texts: dict[bytes, str | bytes], text: str | None) -> bytes | None:
    if text is None:
        return None
    data = text.encode("utf-8")
    key = hashlib.sha256(data).digest()
    texts[key] = pack(data, text)
    return key


def _errors(problems: str | None) -> int:
    return sum(1 for problem in json.loads(problems or "[]") if problem.get("severity", ERROR) == ERROR)


@migrations(transactional=False)
def m006_page_size(db: Database) -> None:
    """16 KB pages (new indexes get them from the start, see Index): a block's row is about
    1 KB, and with 4 KB pages much of each page was left empty. An index made before is
    rewritten once, which needs it to itself: when another process has it open, it keeps its
    pages."""
    if db.execute("PRAGMA page_size").fetchone()[0] >= PAGE_SIZE:
        return
    if db.execute("PRAGMA journal_mode=DELETE").fetchone()[0].lower() != "delete":
        return
    try:
        db.execute(f"PRAGMA page_size={PAGE_SIZE}")
        db.execute("VACUUM")
    except sqlite3.OperationalError:
        pass  # busy: the pages stay as they were
    finally:
        db.execute("PRAGMA journal_mode=WAL")


@migrations()
def m007_leaner_indexes(db: Database) -> None:
    """Less for every block to carry (issue 18: the index was 6.9× the `.md` files).

    `dependencies` becomes a WITHOUT ROWID table keyed by (src_block_id, dst_key): the rowid
    table beside its primary key index held every row twice (1.6 MB at 10,000 blocks, now
    0.7 MB). The phase and state filters keep an index each, without the path: a phase page
    lists the whole phase and a state filter few blocks, so sorting what they find costs
    little (measured: 1.9 ms for a 50-row page of 8,000 shots at 10,000 blocks), while each
    copy of the path took 0.8 MB. The type filter keeps (type, path), which pages through
    thousands of shots without sorting them."""
    db.execute("DROP INDEX IF EXISTS idx_blocks_phase_path")
    db.execute("DROP INDEX IF EXISTS idx_blocks_state_path")
    db.execute("CREATE INDEX idx_blocks_phase ON blocks(phase)")
    db.execute("CREATE INDEX idx_blocks_state ON blocks(state)")
    db.execute("CREATE TABLE dependencies_by_source (src_block_id INTEGER NOT NULL REFERENCES blocks(id), "
               "dst_key TEXT NOT NULL, type TEXT, dst_block_id INTEGER REFERENCES blocks(id), "
               "PRIMARY KEY (src_block_id, dst_key)) WITHOUT ROWID")
    db.execute("INSERT INTO dependencies_by_source (src_block_id, dst_key, type, dst_block_id) "
               "SELECT src_block_id, dst_key, type, dst_block_id FROM dependencies WHERE dst_key IS NOT NULL "
               "ORDER BY src_block_id, dst_key")
    db.execute("DROP TABLE dependencies")
    db.execute("ALTER TABLE dependencies_by_source RENAME TO dependencies")
    db.execute("CREATE INDEX idx_dependencies_dst_key ON dependencies(dst_key)")


@migrations()
def m008_blocks_linking_assets(db: Database) -> None:
    """The blocks whose frontmatter names `assets`, for the missing-assets check `status` and
    `sync` make (`remote/missing.py`): without it every block's frontmatter was read to find
    the few that link any (0.06 s of `status` at 100,000 blocks; a 64 KB index)."""
    db.execute("CREATE INDEX idx_blocks_linking_assets ON blocks(id) WHERE instr(frontmatter, '\"assets\"')")
