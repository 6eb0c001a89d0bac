"""sqlite-utils, imported only when something needs it, and then without pandas and numpy.

Most commands never need it: with nothing changed, `cinefile status` reads the index with
plain SQL. Importing sqlite-utils (with click, dateutil, pluggy, and its plugins looked up
in every installed package's entry points) was a sixth of that command's time at 10,000
blocks (`python -X importtime`, cProfile). So `Database` here runs `execute` and `query`
on the sqlite3 connection itself and makes sqlite-utils' Database over the same connection
the first time anything else is asked of it (a table, an upsert, a transaction); and
`Migrations` records the schema's migrations as sqlite-utils' does, reads which are applied
with plain SQL, and hands them to sqlite-utils only when one is pending.

sqlite-utils imports pandas and numpy when they are installed (the studio brings pandas),
to map their value types to column types; cinefile never stores such values. That import
was 0.85 s of the 1.3 s every command took to start. Hidden for that one import, they stay
importable for the studio and anything else that wants them.
"""

from __future__ import annotations

import sqlite3
import sys
from types import ModuleType
from typing import Any, Callable, Iterator, NamedTuple

_NOT_NEEDED = ("pandas", "numpy")
# The table and columns in which sqlite-utils' Migrations records what it applied.
MIGRATIONS_TABLE = "_sqlite_migrations"


def sqlite_utils() -> ModuleType:
    """sqlite-utils and its migrations, imported (once) with pandas and numpy hidden."""
    if "sqlite_utils.migrations" not in sys.modules:
        hidden = [name for name in _NOT_NEEDED if name not in sys.modules]
        for name in hidden:
            sys.modules[name] = None  # type: ignore[assignment]  # `import name` raises ImportError
        try:
            import sqlite_utils.migrations  # noqa: F401
        finally:
            for name in hidden:
                if sys.modules.get(name, "") is None:
                    del sys.modules[name]
    import sqlite_utils as module

    return module


class Database:
    """sqlite-utils' Database over a sqlite3 connection, made when first needed: `execute`,
    `query` and `close` are the connection's own; any other attribute, and `db["table"]`,
    are those of sqlite-utils' Database over the same connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._database = None

    def execute(self, sql: str, parameters: Any = None) -> sqlite3.Cursor:
        return self.conn.execute(sql) if parameters is None else self.conn.execute(sql, parameters)

    def query(self, sql: str, params: Any = None) -> Iterator[dict]:
        cursor = self.execute(sql, params or ())
        keys = [column[0] for column in cursor.description]
        for row in cursor:
            yield dict(zip(keys, row))

    def close(self) -> None:
        self.conn.close()

    @property
    def database(self):
        """sqlite-utils' own Database, over this connection."""
        if self._database is None:
            self._database = sqlite_utils().Database(self.conn)
        return self._database

    def __getitem__(self, table: str):
        return self.database[table]

    def __getattr__(self, name: str):
        if name.startswith("__") or name == "_database":  # copy and pickle probe these: no import for them
            raise AttributeError(name)
        return getattr(self.database, name)


class _Migration(NamedTuple):
    name: str
    fn: Callable[[Database], None]
    transactional: bool


class Migrations:
    """A set of migrations, declared as with sqlite-utils' Migrations (`@migrations()`,
    `@migrations(transactional=False)`) and recorded in the same table, so that an index
    migrated by either is migrated for both."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._migrations: list[_Migration] = []

    def __call__(self, *, name: str | None = None, transactional: bool = True) -> Callable:
        def register(fn: Callable[[Database], None]) -> Callable[[Database], None]:
            self._migrations.append(_Migration(name or fn.__name__, fn, transactional))
            return fn

        return register

    @property
    def names(self) -> list[str]:
        return [migration.name for migration in self._migrations]

    def pending(self, db: Database) -> list[str]:
        """The names of the migrations not applied to `db` yet, read with plain SQL."""
        if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [MIGRATIONS_TABLE]).fetchone() is None:
            return self.names
        applied = {name for (name,) in db.execute(f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ?", [self.name])}
        return [name for name in self.names if name not in applied]

    def apply(self, db: Database, *, stop_before: str | None = None) -> None:
        """Apply the pending migrations (up to the one named `stop_before`, not included), by
        sqlite-utils' Migrations, imported only then."""
        if not self.pending(db):
            return
        migrations = sqlite_utils().migrations.Migrations(self.name)
        for migration in self._migrations:
            migrations(name=migration.name, transactional=migration.transactional)(migration.fn)
        migrations.apply(db, stop_before=stop_before)


__all__ = ["Database", "Migrations", "sqlite_utils"]
