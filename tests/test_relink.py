"""A sync relinks only what a change can reach; the result must be what relinking the whole
project gives, whatever the edit. Random edits, each followed by a scoped sync and a check
against a full relink of the same index."""

import json
import random

import pytest
from cinefile.daemon.index import relink
from cinefile.daemon.index.relink import relink_all
from cinefile.daemon.index.sync import open_index, sync
from cinefile.daemon.project import Project
from cinefile.format.stale import record_for

TYPES = ["character", "location", "style_guide", "act", "beat", "scene", "shot", "prop"]


def _text(rng: random.Random, type_: str, ids: list[str], block_id: str | None = None, record: dict | None = None) -> str:
    lines = [f"type: {type_}"]
    if block_id:
        lines.append(f"id: {block_id}")
    if ids and rng.random() < 0.5:
        lines.append(f"parent: {rng.choice(ids + ['no-such-block'])}")
    deps = rng.sample(ids + ["missing-one", "missing-two"], k=min(len(ids), rng.randint(0, 4)))
    if deps:
        lines.append("dependencies:")
        lines += [f"  - {dep}" for dep in dict.fromkeys(deps)]
    if record:
        lines.append("generated:")
        lines.append("  from:")
        lines += [f"    {key}: {value}" for key, value in record.items()]
    return "---\n" + "\n".join(lines) + f"\n---\nBody {rng.random()}\n"


def _snapshot(index) -> tuple:
    blocks = index.query("SELECT path, key, link_problems, state, stale_cause, stale_reason, parent_id FROM blocks ORDER BY path")
    deps = index.query("SELECT src_block_id, dst_key, dst_block_id FROM dependencies ORDER BY 1, 2")
    return blocks, deps


def _edit(rng: random.Random, root, index) -> list[str]:
    """One random edit on disk; returns the relative paths it touched."""
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.md"))
    ids = [row["key"] for row in index.query("SELECT key FROM blocks ORDER BY path")]
    action = rng.choice(["create", "modify", "modify", "delete", "rename", "duplicate-id", "review", "review", "cycle"])
    rel = rng.choice(files)
    path = root / rel
    if action == "create" or not files:
        new = f"blocks/b{rng.randrange(10_000)}.md"
        (root / new).write_text(_text(rng, rng.choice(TYPES), ids))
        return [new]
    if action == "modify":
        path.write_text(_text(rng, rng.choice(TYPES), ids))
    elif action == "delete":
        path.unlink()
    elif action == "rename":
        new = f"blocks/moved-{rng.randrange(10_000)}.md"
        path.rename(root / new)
        return [rel, new]
    elif action == "duplicate-id":
        path.write_text(_text(rng, rng.choice(TYPES), ids, block_id=rng.choice(ids)))
    elif action == "review":  # fresh against today's hashes: later edits upstream make it stale
        row = index.block_at(rel)
        inputs = list(dict.fromkeys(ref[0] for ref in json.loads(row["refs"]))) if row else []
        record = record_for(inputs, index.hashes()) or {"nothing": "000000"}
        path.write_text(_text(rng, row["type"] if row and row["type"] else "scene", inputs, record=record))
    elif action == "cycle":  # two blocks that depend on each other
        a, b = rng.sample(files, 2)
        key_a, key_b = (index.block_at(r)["key"] for r in (a, b))
        (root / a).write_text(f"---\ntype: scene\ndependencies: [{key_b}]\n---\nA\n")
        (root / b).write_text(f"---\ntype: scene\ndependencies: [{key_a}]\n---\nB\n")
        return [a, b]
    return [rel]


def _random_project(rng: random.Random, root) -> Project:
    """40 random blocks of every type, naming each other (and some ids that exist nowhere)."""
    (root / "blocks").mkdir(parents=True)
    (root / "cinefile.toml").write_text('name = "Random edits"\n')
    ids: list[str] = []
    for i in range(40):
        (root / "blocks" / f"b{i}.md").write_text(_text(rng, rng.choice(TYPES), ids))
        ids.append(f"b{i}")
    return Project(root)


@pytest.mark.parametrize("seed", range(6))
def test_a_scoped_relink_matches_a_full_one_after_random_edits(tmp_path, monkeypatch, seed):
    monkeypatch.setattr(relink, "FULL_RELINK_SHARE", 1.0)  # never fall back on a project this small
    rng = random.Random(seed)
    root = tmp_path / "film"
    project = _random_project(rng, root)
    index = open_index(project)
    try:
        sync(project, index)
        seen: set[str] = set()
        for _ in range(80):
            touched = _edit(rng, root, index)
            sync(project, index, scope=touched, reread=True)
            incremental = _snapshot(index)
            with index.write() as db:
                assert relink_all(db) == []
            assert _snapshot(index) == incremental
            seen |= {row["state"] for row in incremental[0]}
            seen |= {code for row in incremental[0] for code in ("cycle", "duplicate-id", "unknown-ref", "parent-type")
                     if code in (row["link_problems"] or "")}
        assert {"stale", "fresh", "cycle", "duplicate-id", "unknown-ref", "parent-type"} <= seen  # the cases that matter came up
    finally:
        index.close()


@pytest.mark.parametrize("seed", range(3))
def test_a_first_sync_links_blocks_as_a_full_relink_would(tmp_path, seed):
    """A first sync links blocks before writing them; after random edits (cycles, duplicate
    ids, reviews, unknown ids) a fresh index of the same folder must hold what a full
    relink gives, and what the incrementally kept index holds."""
    rng = random.Random(seed)
    root = tmp_path / "film"
    project = _random_project(rng, root)
    index = open_index(project)
    sync(project, index)
    for _ in range(60):
        sync(project, index, scope=_edit(rng, root, index), reread=True)
    columns = "path, key, link_problems, state, stale_cause, stale_reason"
    links = ("SELECT b.path, p.path AS parent, d.dst_key, t.path AS target FROM blocks b LEFT JOIN blocks p ON p.id = b.parent_id "
             "LEFT JOIN dependencies d ON d.src_block_id = b.id LEFT JOIN blocks t ON t.id = d.dst_block_id ORDER BY 1, 3")
    kept = index.query(f"SELECT {columns} FROM blocks ORDER BY path")
    kept_links = index.query(links)
    index.close()
    project.db_path.unlink()
    fresh = open_index(project)
    try:
        report = sync(project, fresh)
        assert sorted(report.relinked) == sorted(report.added)
        with fresh.write() as db:
            assert relink_all(db) == []
        assert fresh.query(f"SELECT {columns} FROM blocks ORDER BY path") == kept
        assert fresh.query(links) == kept_links and any(row["parent"] for row in kept_links)
        assert any(row["target"] for row in kept_links) and "fresh" in {row["state"] for row in kept}
    finally:
        fresh.close()
