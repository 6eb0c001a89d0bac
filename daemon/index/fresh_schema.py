"""A new index made in one script: the schema every migration leaves, written out.

Running the migrations one by one on an empty file (sqlite-utils imported, eight
transactions, each table's columns looked up again) took 80 ms of every first sync, a tenth
of a 10,000-block one as a command (measured). `fresh_schema.sql` holds what they make: the
tables and indexes as SQLite keeps them, and the rows the migrations insert. A new index
runs it and records every migration as applied, in one transaction; an existing one is
migrated as before (`schema.migrations`). `tests/test_index_migrations.py` checks that the
script and the migrations make the same database; `write_script()` writes it anew after a
migration is added.

The script creates only what is not there and inserts only what is missing, so two processes
making the same new index at once (the language server and `cinefile sync` on a fresh clone)
end with one schema.
"""

from __future__ import annotations

import datetime
import re
import sqlite3
from pathlib import Path

from .sqlite_utils_lean import MIGRATIONS_TABLE, Database, Migrations

SCRIPT = Path(__file__).with_name("fresh_schema.sql")
_HEADER = ("-- What every migration of daemon/index/schema.py leaves in an empty index, made by\n"
           "-- fresh_schema.write_script(): write it anew that way, never by hand.\n")
_CREATE = re.compile(r"^CREATE (UNIQUE )?(TABLE|INDEX) (?!IF NOT EXISTS)")


def create(db: Database, migrations: Migrations) -> bool:
    """Make the schema of a database with no tables yet, with every migration recorded as
    applied; False (and nothing done) when it has tables."""
    if db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is not None:
        return False
    applied = str(datetime.datetime.now(datetime.timezone.utc))
    records = "".join(f"INSERT OR IGNORE INTO {MIGRATIONS_TABLE} (migration_set, name, applied_at) "
                      f"VALUES ({_literal(migrations.name)}, {_literal(name)}, {_literal(applied)});\n"
                      for name in migrations.names)
    try:
        db.conn.executescript(f"BEGIN IMMEDIATE;\n{SCRIPT.read_text(encoding='utf-8')}{records}COMMIT;\n")
    except BaseException:
        if db.conn.in_transaction:
            db.conn.rollback()
        raise
    return True


def dump(conn: sqlite3.Connection) -> str:
    """The script of a migrated database: its tables, then its indexes, as SQLite keeps them
    (made only when missing), and the rows of its tables but the migrations' own record."""
    objects = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
                           "ORDER BY type != 'table', rowid").fetchall()
    lines = [_CREATE.sub(lambda m: f"CREATE {m.group(1) or ''}{m.group(2)} IF NOT EXISTS ", sql) + ";"
             for _, _, sql in objects]
    for kind, name, _ in objects:
        if kind == "table" and name != MIGRATIONS_TABLE:
            lines += [f'INSERT OR IGNORE INTO "{name}" VALUES ({values});'
                      for (values,) in conn.execute(f"SELECT {_quoted_columns(conn, name)} FROM \"{name}\" ORDER BY 1")]
    return "\n".join(lines) + "\n"


def _quoted_columns(conn: sqlite3.Connection, table: str) -> str:
    columns = [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]
    return " || ', ' || ".join(f'quote("{column}")' for column in columns)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def migrated_script() -> str:
    """The script, from running every migration on an empty database in memory."""
    from .schema import migrations

    conn = sqlite3.connect(":memory:")
    try:
        migrations.apply(Database(conn))
        return _HEADER + dump(conn)
    finally:
        conn.close()


def write_script() -> None:
    """Write `fresh_schema.sql` anew from the migrations (after adding one)."""
    SCRIPT.write_text(migrated_script(), encoding="utf-8")
