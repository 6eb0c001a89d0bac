"""m007: an index made before it (dependencies in a rowid table beside their key's index, the
phase and state filters indexed with the path) keeps every dependency and answers as before."""

import sqlite3

from cinefile.daemon.api import ProjectAPI
from cinefile.daemon.index.sync import open_index, sync
from conftest import write

# What m001 and m004 made, as an index written before m007 has it.
_BEFORE_M007 = """
DROP INDEX idx_dependencies_dst_key;
ALTER TABLE dependencies RENAME TO dependencies_m007;
CREATE TABLE dependencies (src_block_id INTEGER REFERENCES blocks(id), dst_block_id INTEGER REFERENCES blocks(id),
                           type TEXT, dst_key TEXT, PRIMARY KEY (src_block_id, dst_key));
INSERT INTO dependencies SELECT src_block_id, dst_block_id, type, dst_key FROM dependencies_m007;
DROP TABLE dependencies_m007;
CREATE INDEX idx_dependencies_dst_key ON dependencies(dst_key);
DROP INDEX idx_blocks_phase;
DROP INDEX idx_blocks_state;
CREATE INDEX idx_blocks_phase_path ON blocks(phase, path);
CREATE INDEX idx_blocks_state_path ON blocks(state, path);
DELETE FROM _sqlite_migrations WHERE name = 'm007_leaner_indexes';
"""


def _dependencies(db_path) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute("SELECT src_block_id, dst_key, type, dst_block_id FROM dependencies ORDER BY 1, 2").fetchall()


def _schema(db_path) -> dict[str, str]:
    with sqlite3.connect(db_path) as conn:
        return dict(conn.execute("SELECT name, coalesce(sql, '') FROM sqlite_schema"))


def test_an_index_from_before_m007_keeps_its_dependencies_and_drops_the_rowid_table(sample):
    index = open_index(sample)
    sync(sample, index)
    before = _dependencies(sample.db_path)
    with ProjectAPI(sample, index=index) as api:
        dependents = [d["key"] for d in index.dependents("mara")]
        scenes = [b.id for b in api.blocks(phase="story", state="fresh")]
    index.close()
    with sqlite3.connect(sample.db_path) as conn:
        conn.executescript(_BEFORE_M007)
    assert "WITHOUT ROWID" not in _schema(sample.db_path)["dependencies"]

    index = open_index(sample)  # migrates
    schema = _schema(sample.db_path)
    assert schema["dependencies"].endswith("WITHOUT ROWID")
    assert {"idx_blocks_phase", "idx_blocks_state", "idx_dependencies_dst_key"} <= set(schema)
    assert not {"idx_blocks_phase_path", "idx_blocks_state_path", "dependencies_by_source"} & set(schema)
    assert _dependencies(sample.db_path) == before and before
    with ProjectAPI(sample, index=index) as api:
        assert [d["key"] for d in index.dependents("mara")] == dependents and dependents
        assert [b.id for b in api.blocks(phase="story", state="fresh")] == scenes and scenes
        # Relinking after a change still points each dependency at its target.
        rel = next(b.path for b in api.blocks() if b.id == dependents[0])
        text = (sample.root / rel).read_text(encoding="utf-8")
        write(sample.root, rel, text + "\nA line more.\n")
        sync(sample, index)
    assert _dependencies(sample.db_path) == before
    index.close()


def test_the_missing_assets_check_reads_only_the_blocks_that_name_assets(sample):
    """m008: a partial index holds the blocks whose frontmatter names `assets`, and the check
    that `status` and `sync` make reads those rows only, not every block's frontmatter."""
    from cinefile.daemon.remote.missing import LINKING_SQL, linking_blocks

    sha256 = "ab" * 32
    write(sample.root, "shooting/shots/shot-9.md",
          f"---\ntype: shot\nparent: scene-1\nassets:\n  - sha256: {sha256}\n    role: still\n---\nA still not pulled yet.\n")
    index = open_index(sample)
    sync(sample, index)
    with sqlite3.connect(sample.db_path) as conn:
        plan = " ".join(str(row) for row in conn.execute("EXPLAIN QUERY PLAN " + LINKING_SQL))
        naming = conn.execute("SELECT count(*) FROM blocks WHERE frontmatter LIKE '%\"assets\"%'").fetchone()[0]
    assert "USING INDEX idx_blocks_linking_assets" in plan
    linking = linking_blocks(index)
    assert [(block.path, block.entries) for block in linking if block.path == "shooting/shots/shot-9.md"] == [
        ("shooting/shots/shot-9.md", [{"sha256": sha256, "role": "still", "approved": False}])]
    assert len(linking) <= naming
    index.close()


def test_a_new_index_is_made_by_one_script_that_is_what_the_migrations_make(tmp_path):
    """A new index runs `fresh_schema.sql` instead of each migration: the file must be what
    the migrations make (after adding one: `fresh_schema.write_script()`), and the index it
    makes has every migration recorded, so none runs again."""
    from cinefile.daemon.index import fresh_schema
    from cinefile.daemon.index.db import Index
    from cinefile.daemon.index.schema import migrations

    migrated = fresh_schema.migrated_script()
    assert fresh_schema.SCRIPT.read_text(encoding="utf-8") == migrated, \
        "fresh_schema.sql is not what the migrations make: run fresh_schema.write_script()"
    index = Index(tmp_path / "project.db")
    try:
        with sqlite3.connect(tmp_path / "project.db") as conn:
            assert migrated.endswith(fresh_schema.dump(conn))
        assert migrations.pending(index.db) == []
        assert [r["name"] for r in index.query("SELECT name FROM tabs ORDER BY position")] == ["Story", "Design", "Shooting", "Generate"]
    finally:
        index.close()


def test_the_fresh_schema_run_twice_makes_one_schema(tmp_path):
    """Two processes making the same new index at once (the language server and a sync on a
    fresh clone) both run the script: the second changes nothing."""
    from cinefile.daemon.index import fresh_schema
    from cinefile.daemon.index.schema import migrations
    from cinefile.daemon.index.sqlite_utils_lean import Database

    first, second = (Database(sqlite3.connect(tmp_path / "project.db")) for _ in range(2))
    assert fresh_schema.create(first, migrations)
    with sqlite3.connect(tmp_path / "project.db") as conn:
        made = fresh_schema.dump(conn)
    # The second looked before the first made it, and runs the script after: as create does then.
    second.conn.executescript(fresh_schema.SCRIPT.read_text(encoding="utf-8"))
    assert not fresh_schema.create(second, migrations)  # tables there: nothing to make
    with sqlite3.connect(tmp_path / "project.db") as conn:
        assert fresh_schema.dump(conn) == made
        assert conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == len(migrations.names)
    for db in (first, second):
        db.close()
