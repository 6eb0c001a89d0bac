"""Marking many blocks fresh at once is batched (the paths, the hashes and what they are made
from looked up once, the files staged and flushed together, history marked per kind of
change) and gives what marking them one by one gives."""

import json

import pytest
from cinefile.daemon import atomic_batch
from cinefile.daemon.api import ProjectAPI, WriteConflict
from cinefile.daemon.api import core as core_module
from cinefile.daemon.index.db import Index
from conftest import block_text, write


def hub_project(root, dependents: int):
    write(root, "cinefile.toml", 'name = "Hub"\n')
    write(root, "design/harbour.md", block_text("location", "The harbour."))
    write(root, "design/style-guide.md", block_text("style_guide", "Wet and dark."))
    for n in range(dependents):
        write(root, f"shooting/shot-{n:03d}.md", block_text(
            "shot", f"Rain {n}.", size="wide", angle="low", movement="static", lens="35mm", duration=3,
            dependencies=["harbour", "style-guide"]))
    return root


@pytest.fixture
def counted(monkeypatch):
    """Calls of Index.query and of each way of writing a file, as they happen."""
    calls = {"query": 0, "write_atomic": 0, "write_atomic_all": 0, "batched": 0}
    query, one, many = Index.query, core_module.write_atomic, atomic_batch.write_atomic_all

    def counted_query(self, *args, **kwargs):
        calls["query"] += 1
        return query(self, *args, **kwargs)

    def counted_one(*args, **kwargs):
        calls["write_atomic"] += 1
        return one(*args, **kwargs)

    def counted_many(items):
        items = list(items)
        calls["write_atomic_all"] += 1
        calls["batched"] += len(items)
        return many(items)

    monkeypatch.setattr(Index, "query", counted_query)
    monkeypatch.setattr(core_module, "write_atomic", counted_one)
    monkeypatch.setattr(core_module, "write_atomic_all", counted_many)
    return calls


def mark(root, ids, one_by_one: bool = False) -> dict[str, str]:
    with ProjectAPI.open(root) as api:
        api.sync()
        for batch in ([[key] for key in ids] if one_by_one else [ids]):
            api.mark_fresh(batch)
        states = {key: api.index.block(key)["state"] for key in ids}
        hows = {row["path"]: json.loads(row["payload"]).get("how") for row in api.index.query(
            "SELECT path, payload FROM history WHERE id IN (SELECT max(id) FROM history GROUP BY path)")}
    return {"states": states, "hows": hows,
            "texts": {p.name: p.read_text() for p in sorted((root / "shooting").glob("*.md"))}}


def test_marking_a_hubs_dependents_at_once_gives_what_one_by_one_gives(tmp_path):
    ids = [f"shot-{n:03d}" for n in range(12)]
    batched = mark(hub_project(tmp_path / "batched", 12), ids)
    single = mark(hub_project(tmp_path / "single", 12), ids, one_by_one=True)
    assert batched == single
    assert set(batched["states"].values()) == {"fresh"}
    assert all(how == "review" for path, how in batched["hows"].items() if path.startswith("shooting/"))


@pytest.mark.parametrize("dependents", [10, 40])
def test_the_lookups_and_the_flush_do_not_grow_with_the_blocks(tmp_path, counted, dependents):
    root = hub_project(tmp_path / "film", dependents)
    with ProjectAPI.open(root) as api:
        api.sync()
        before = counted["query"]
        api.mark_fresh([f"shot-{n:03d}" for n in range(dependents)])
        queries = counted["query"] - before
    assert counted["write_atomic_all"] == 1 and counted["batched"] == dependents
    assert counted["write_atomic"] == 0
    assert queries <= 12, queries  # the same for 10 blocks and 40: none per block


def test_a_file_changed_meanwhile_refuses_the_whole_batch(tmp_path):
    root = hub_project(tmp_path / "film", 6)
    with ProjectAPI.open(root) as api:
        api.sync()
        changes = [api.fresh_change(f"shot-{n:03d}") for n in range(6)]
        write(root, "shooting/shot-003.md", block_text("shot", "Changed by hand."))
        before = {p.name: p.read_text() for p in (root / "shooting").glob("*.md")}
        with pytest.raises(WriteConflict):
            api.apply(changes)
    assert {p.name: p.read_text() for p in (root / "shooting").glob("*.md")} == before


def test_a_failed_staging_replaces_nothing(tmp_path, monkeypatch):
    files = [tmp_path / f"f{n}.md" for n in range(5)]
    for path in files:
        path.write_text("old")
    real_stage = atomic_batch.stage

    def stage(path, data, **options):
        if path.name == "f3.md":
            raise OSError(28, "No space left on device")
        return real_stage(path, data, **options)

    monkeypatch.setattr(atomic_batch, "stage", stage)
    with pytest.raises(OSError):
        atomic_batch.write_atomic_all((path, "new") for path in files)
    assert [path.read_text() for path in files] == ["old"] * 5
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in files)  # no temp file left
