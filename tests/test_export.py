"""Exports: a readable summary and JSON, the same bytes for the same project."""

import json

from cinefile.daemon.exports.summary import export_project
from cinefile.daemon.index.sync import sync


def test_exports_are_deterministic(sample, index_of):
    index = index_of(sample)
    sync(sample, index)
    export_project(sample, index)
    first = {p.name: p.read_bytes() for p in sample.exports.iterdir()}
    # rebuild the index from scratch: the exports must not change
    index.close()
    sample.db_path.unlink()
    index = index_of(sample)
    sync(sample, index)
    export_project(sample, index)
    assert {p.name: p.read_bytes() for p in sample.exports.iterdir()} == first


def test_summary_follows_phases_and_hierarchy(sample, index_of):
    index = index_of(sample)
    sync(sample, index)
    export_project(sample, index)
    summary = (sample.exports / "project_summary.md").read_text()
    assert summary.startswith("# Night Ferry\n")
    assert summary.index("## Story") < summary.index("## Design") < summary.index("## Shooting")
    # act > beat > scene nest by heading level
    assert "###### The Ramp" in summary or "##### The Ramp" in summary
    assert summary.index("Boarding") < summary.index("The Ramp")
    assert "**stale**: mara-raincoat changed" in summary


def test_project_json_holds_every_block(sample, index_of):
    index = index_of(sample)
    sync(sample, index)
    export_project(sample, index)
    data = json.loads((sample.exports / "project.json").read_text())
    assert data["project"] == {"name": "Night Ferry", "mode": "draft"}
    assert len(data["blocks"]) == 20
    scene = next(b for b in data["blocks"] if b["id"] == "scene-1")
    assert scene["parent"] == "beat-1" and {"id": "ferry-deck", "type": "set_in"} in scene["dependencies"]
    assert scene["state"] == "stale" and scene["frontmatter"]["int_ext"] == "EXT"
