"""The server's in-memory model agrees with the index: the same stale state for every block
as sync computes, and buffers laid over the disk change it until they are dropped."""

from __future__ import annotations

from cinefile.daemon.lsp.model import ROW_COLUMNS, Model, node_of_block, node_of_row
from cinefile.format.parse import parse_text


def test_model_staleness_matches_the_index(sample, index_of):
    """Upstream-only staleness gives, for every block, the state the whole-project pass stored."""
    index = index_of(sample)
    model = Model()
    model.load(node_of_row(row) for row in index.query(f"SELECT {ROW_COLUMNS} FROM blocks"))
    stored = {row["path"]: row["state"] for row in index.query("SELECT path, state FROM blocks")}
    assert {path: model.staleness(node).state for path, node in model.nodes.items()} == stored
    assert {n.id for n in model.impact("mara-raincoat")} == {"scene-1", "scene-1-breakdown", "scene-1-camera",
                                                             "shot-1a", "shot-1b"}


def test_a_buffer_overrides_the_disk_until_dropped(sample, index_of):
    """An edited buffer that renames a block's id moves references to it; dropping the
    buffer puts the disk version back."""
    index = index_of(sample)
    model = Model()
    model.load(node_of_row(row) for row in index.query(f"SELECT {ROW_COLUMNS} FROM blocks"))
    text = (sample.root / "design/wheelhouse.md").read_text().replace("type: location", "type: location\nid: bridge")
    model.set_buffer(node_of_block(parse_text("design/wheelhouse.md", text)))
    assert model.owner("wheelhouse") is None and model.owner("bridge").path == "design/wheelhouse.md"
    model.drop_buffer("design/wheelhouse.md")
    assert model.owner("wheelhouse").path == "design/wheelhouse.md" and model.owner("bridge") is None
