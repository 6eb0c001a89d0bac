"""Opening the index reads which migrations are applied with plain SQL and imports
sqlite-utils only to apply one, or when a table helper is asked for; the walk's quick path
for plain block files indexes what the careful one did."""

import os
import sqlite3
import subprocess
import sys

import pytest

from cinefile.daemon.index.db import Index
from cinefile.daemon.index.schema import migrations
from cinefile.daemon.index.sqlite_utils_lean import Database, Migrations, sqlite_utils
from cinefile.daemon.index.walk import walk
from cinefile.daemon.project import Project

# Opens the index named first; prints whether sqlite-utils was imported, before and after a
# table helper is asked for.
OPEN_INDEX = """
import sys
from pathlib import Path
from cinefile.daemon.index.db import Index
index = Index(Path(sys.argv[1]))
print("sqlite_utils" in sys.modules, index.db["projects"].exists(), "sqlite_utils" in sys.modules)
"""


def _open_in_a_new_process(path) -> str:
    return subprocess.run([sys.executable, "-c", OPEN_INDEX, str(path)], capture_output=True, text=True,
                          check=True).stdout.split()


def test_a_migrated_index_opens_without_sqlite_utils_until_a_table_helper_is_used(tmp_path):
    path = tmp_path / "project.db"
    assert _open_in_a_new_process(path) == ["False", "True", "True"]  # new: made by the fresh schema's script
    assert _open_in_a_new_process(path) == ["False", "True", "True"]


def test_an_index_missing_a_migration_gets_it_when_opened(tmp_path):
    path = tmp_path / "project.db"
    Index(path).close()
    with sqlite3.connect(path) as conn:  # as an index made before m002 was written
        conn.execute("DROP TABLE model_catalog")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm002_model_catalog'")
    index = Index(path)
    try:
        assert migrations.pending(index.db) == []
        assert index.query("SELECT count(*) AS n FROM model_catalog") == [{"n": 0}]
    finally:
        index.close()


def test_the_migrations_are_recorded_where_sqlite_utils_reads_them(tmp_path):
    calls = []
    first = Migrations("set")
    first()(lambda db: calls.append("a") or db.execute("CREATE TABLE a (x)"))
    db = Database(sqlite3.connect(tmp_path / "x.db"))
    assert first.pending(db) == ["<lambda>"]
    first.apply(db)
    first.apply(db)  # nothing pending: nothing run
    assert calls == ["a"]

    second = Migrations("set")
    second(name="<lambda>")(lambda db: calls.append("again"))
    second(name="m2", transactional=False)(lambda db: calls.append("m2") or db["b"].create({"y": int}))
    assert second.pending(db) == ["m2"]
    second.apply(db)
    assert calls == ["a", "m2"] and db["b"].exists()
    theirs = sqlite_utils().migrations.Migrations("set")
    theirs(name="<lambda>")(lambda db: None)
    theirs(name="m2")(lambda db: None)
    assert theirs.pending(db.database) == []


def test_the_database_runs_plain_sql_itself_and_the_rest_through_sqlite_utils(tmp_path):
    db = Database(sqlite3.connect(tmp_path / "x.db"))
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
    db.execute("INSERT INTO t (name) VALUES (?)", ["one"])
    assert list(db.query("SELECT * FROM t")) == [{"id": 1, "name": "one"}]
    db["t"].upsert({"id": 1, "name": "uno"}, pk="id")
    assert db.execute("SELECT name FROM t").fetchall() == [("uno",)]
    assert db.table_names() == ["t"]
    with pytest.raises(AttributeError):
        db.__no_such_thing__


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_the_walk_indexes_plain_names_quickly_and_every_other_name_as_before(tmp_path):
    root = tmp_path / "film"
    (root / "story" / "folder.md").mkdir(parents=True)
    (root / "cinefile.toml").write_text('name = "x"\n')
    for name in ("story/a.md", "story/B.MD", "story/c.Md", "story/.hidden.md", "story/notes.txt",
                 "story/folder.md/d.md", "story/été.md", "assets/e.md", "top.md"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("# x\n")
    os.mkfifo(root / "story" / "pipe.md")
    (root / "story" / "link.md").symlink_to(root / "story" / "a.md")
    walked = walk(Project(root))
    assert sorted(walked.files) == ["story/B.MD", "story/a.md", "story/c.Md", "story/folder.md/d.md",
                                    "story/link.md", "story/été.md", "top.md"]
    assert list(walked.refused) == ["story/pipe.md"]
    assert walked.files["story/a.md"] == (os.stat(root / "story/a.md").st_mtime_ns, 4)
    assert walked.files["story/a.md"].size == 4
