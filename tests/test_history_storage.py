"""How history keeps its texts: each version once, by hash, in `texts`; and an index made
before that (texts in every history row's JSON, 4 KB pages) migrated to it with nothing lost."""

import json
import sqlite3

from cinefile.daemon.api import ProjectAPI
from cinefile.daemon.index.read import BLOCK_COLUMNS, read_file
from cinefile.daemon.index.schema import PAGE_SIZE, migrations
from cinefile.daemon.index.sync import open_index, sync
from cinefile.daemon.index.texts import COMPRESS_FROM
from cinefile.daemon.index.walk import FileStat
from conftest import write
from sqlite_utils import Database

V1 = "---\ntype: beat\n---\nFirst version.\r\n"
V2 = "---\ntype: beat\n---\nSecond version, é.\n"
V3 = "---\ntype: beat\nparent: nowhere\n---\nThird version.\n"  # an unknown parent: a cross-file error
GONE = "---\ntype: prop\n---\nA lamp.\n"
PATH = "story/turn.md"


def _texts(index) -> int:
    return index.query("SELECT count(*) AS n FROM texts")[0]["n"]


def test_an_edit_stores_one_text_and_a_version_that_comes_back_none(empty, index_of):
    index = index_of(empty)
    for text in (V1, V2, V1):
        write(empty.root, PATH, text)
        sync(empty, index, scope=[PATH], reread=True)
    assert _texts(index) == 2  # V1 came back: named again, not stored again
    with ProjectAPI(empty, index=index) as api:
        assert [(r.text, r.previous) for r in api.history("turn")] == [(V1, None), (V2, V1), (V1, V2)]


def test_a_big_block_edited_three_times_grows_the_index_by_its_texts_not_more(empty, index_of):
    index = index_of(empty)
    paragraph = "INT. FERRY - NIGHT\n\nMara holds the rail. The engine coughs, and the lights go out one by one.\n\n"
    body = paragraph * (2_000_000 // len(paragraph))  # 2 MB of screenplay
    for n in range(4):
        write(empty.root, PATH, f"---\ntype: scene\n---\n{body}Take {n}.\n")
        sync(empty, index, scope=[PATH], reread=True)
    stored = index.query("SELECT sum(length(data)) AS n, min(typeof(data)) AS kind FROM texts")[0]
    # Four versions of 2 MB, compressed: far less than one; history rows carry no text.
    assert stored["kind"] == "blob" and stored["n"] < 2_000_000
    assert index.query("SELECT max(length(payload)) AS n FROM history")[0]["n"] <= 2
    with ProjectAPI(empty, index=index) as api:
        revisions = api.history(PATH)
        assert [r.text.endswith(f"Take {n}.\n") for n, r in enumerate(revisions)] == [True] * 4
        assert revisions[-1].previous == revisions[-2].text and len(revisions[-1].text) > COMPRESS_FROM


def _old_index(project) -> None:
    """project.db as cinefile made it before m005: the texts in each history row's JSON
    (`how` and `by` added by the guarded write), 4 KB pages, no error counts."""
    db = Database(sqlite3.connect(project.db_path))
    db.execute("PRAGMA page_size=4096")
    db.execute("PRAGMA journal_mode=WAL")
    migrations.apply(db, stop_before="m005_texts_by_hash")
    db["projects"].insert({"id": 1, "name": "film", "root_path": str(project.root), "created_at": "2026-01-01"})
    write(project.root, PATH, V3)
    stat = (project.root / PATH).stat()
    read = read_file(project.root, PATH, FileStat(stat.st_mtime_ns, stat.st_size))
    columns = [c for c in BLOCK_COLUMNS if c != "errors"]
    row = dict(zip(BLOCK_COLUMNS, read.values))
    problems = json.loads(row["problems"]) + [
        {"code": "missing-field", "message": "a warning", "range": [0, 0, 0, 3], "severity": "warning"},
        {"code": "bad-assets", "message": "an error", "range": [0, 0, 0, 3]}]  # no severity: an error
    link_problems = [{"code": "unknown-id", "message": "no block `nowhere`", "range": [2, 8, 2, 15], "severity": "error"}]
    db["blocks"].insert({c: row[c] for c in columns} | {
        "id": 1, "version": 3, "problems": json.dumps(problems), "link_problems": json.dumps(link_problems),
        "state": "fresh", "created_at": "t", "updated_at": "t"})
    old_rows = [
        (1, "create", PATH, 1, {"path": PATH, "text": V1}),
        (1, "update", PATH, 2, {"path": PATH, "text": V2, "previous": V1, "how": "edit", "by": "ana"}),
        (1, "update", PATH, 3, {"path": PATH, "text": V3, "previous": V2}),
        (2, "create", "design/lamp.md", 1, {"path": "design/lamp.md", "text": GONE}),
        (2, "rename", "design/lamp-1.md", 2, {"path": "design/lamp-1.md", "text": GONE, "previous": None,
                                              "from": "design/lamp.md"}),
        (2, "delete", "design/lamp-1.md", 3, {"path": "design/lamp-1.md", "previous": GONE}),
    ]
    keys = {1: "turn", 2: "lamp"}
    db["history"].insert_all({"block_id": block_id, "action": action, "path": path, "version": version,
                              "block_key": keys[block_id], "timestamp": f"2026-01-0{i + 1}", "payload": json.dumps(payload)}
                             for i, (block_id, action, path, version, payload) in enumerate(old_rows))
    db.conn.commit()
    db.close()


def test_an_index_made_before_texts_by_hash_is_migrated_with_nothing_lost(empty):
    _old_index(empty)
    with ProjectAPI(empty) as api:
        turn = api.history("turn")
        assert [(r.version, r.action, r.text, r.previous, r.how, r.by) for r in turn] == [
            (1, "create", V1, None, "", None), (2, "update", V2, V1, "edit", "ana"), (3, "update", V3, V2, "", None)]
        lamp = api.history("lamp")
        assert [(r.action, r.path, r.text, r.previous, r.moved_from) for r in lamp] == [
            ("create", "design/lamp.md", GONE, None, None),
            ("rename", "design/lamp-1.md", GONE, None, "design/lamp.md"),
            ("delete", "design/lamp-1.md", None, GONE, None)]
        assert _texts(api.index) == 4  # V1, V2, V3 and the lamp, once each
        payloads = {r["payload"] for r in api.index.query("SELECT payload FROM history")}
        assert not any("text" in json.loads(p) or "previous" in json.loads(p) for p in payloads)
        # The stored problems' errors are counted: one of the file's own, one cross-file.
        assert api.index.error_count() == 2
        assert not api.sync().changed  # the blocks row still matches the file
        undone = api.undo("turn")  # and the old versions can be put back
        assert (undone.restored, (empty.root / PATH).read_text()) == (2, V2)
        assert api.history("turn")[-1].previous == V3
    db = sqlite3.connect(empty.db_path)
    assert db.execute("PRAGMA page_size").fetchone()[0] == PAGE_SIZE  # rewritten into 16 KB pages
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_a_new_index_has_16_kb_pages_and_counts_errors_as_they_change(empty):
    write(empty.root, "story/a.md", "---\ntype: beat\nparent: nowhere\n---\nA.\n")
    write(empty.root, "story/b.md", "---\ntype: beat\n---\nB.\n")
    index = open_index(empty)
    try:
        sync(empty, index)
        assert index.query("PRAGMA page_size")[0]["page_size"] == PAGE_SIZE
        assert index.error_count() == 1  # the unknown parent
        write(empty.root, "story/nowhere.md", "---\ntype: act\n---\nThe act.\n")
        sync(empty, index)
        assert index.error_count() == 0
        write(empty.root, "story/b.md", "---\ntype: beat\n  bad: [\n---\nB.\n")  # broken YAML: an error of its own
        sync(empty, index)
        assert index.error_count() == 1
        assert index.error_count() == sum(p["severity"] == "error" for row in index.blocks()
                                          for p in json.loads(row["problems"]) + json.loads(row["link_problems"]))
    finally:
        index.close()
