"""Exports: a readable summary and JSON, the same bytes for the same project."""

import json

from cinefile.daemon.api import ProjectAPI
from cinefile.daemon.index.sync import sync


def export_project(project, index) -> None:
    """The default export (summary and json) through the project API, over this index."""
    api = ProjectAPI(project, index=index)
    assert [f.path for f in api.export().files] == ["exports/project_summary.md", "exports/project.json"]


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


def test_summary_keeps_the_story_order_of_order_fields_and_numbered_paths(empty):
    """Siblings by their `order` (as `cinefile import` writes it), then by path with numbers as
    numbers: the summary and the JSON list scenes as the screenplay does, not as paths sort."""
    from conftest import block_text, write

    write(empty.root, "story/act-1.md", block_text("act", title="Act"))
    write(empty.root, "story/scene-10.md", block_text("scene", title="Tenth", parent="act-1"))
    write(empty.root, "story/scene-2.md", block_text("scene", title="Second", parent="act-1"))
    write(empty.root, "story/scene-9.md", block_text("scene", title="First", parent="act-1", order=1))
    with ProjectAPI(empty) as api:
        api.export()
    summary = (empty.exports / "project_summary.md").read_text()
    assert summary.index("First") < summary.index("Second") < summary.index("Tenth")
    data = json.loads((empty.exports / "project.json").read_text())
    assert [b["id"] for b in data["blocks"]] == ["act-1", "scene-9", "scene-2", "scene-10"]


def test_the_format_table_in_the_exports_doc_matches_the_formats(sample):
    import re
    from pathlib import Path

    text = (Path(__file__).parents[1] / "docs" / "exports.md").read_text()
    rows = re.findall(r"^\| `([\w-]+)` \| ([^|]+) \|([^|]*)\|$", text, re.MULTILINE)
    documented = {name: (tuple(re.findall(r"`([^`]+)`", files)), needs.strip()) for name, files, needs in rows}
    with ProjectAPI(sample) as api:
        assert documented == {f.name: (f.files, f.needs) for f in api.export_formats()}


def test_summary_lists_shooting_blocks_in_the_order_of_their_scenes(empty):
    """Breakdowns, camera notes and shots follow their scenes' story order (scene B is first by
    its `order`), not their types or paths; a shot of no scene comes last."""
    from conftest import block_text, write

    write(empty.root, "story/scene-a.md", block_text("scene", title="Scene A", order=2))
    write(empty.root, "story/scene-b.md", block_text("scene", title="Scene B", order=1))
    write(empty.root, "shooting/a-breakdown.md", block_text("shot_breakdown", title="A broken down", parent="scene-a"))
    write(empty.root, "shooting/a-shot.md", block_text("shot", title="A's shot", parent="a-breakdown"))
    write(empty.root, "shooting/b-camera.md", block_text("cinematography", title="B's camera", parent="scene-b"))
    write(empty.root, "shooting/b-shot.md", block_text("shot", title="B's shot", parent="scene-b"))
    write(empty.root, "shooting/a-stray.md", block_text("shot", title="Stray shot"))
    with ProjectAPI(empty) as api:
        api.export()
    summary = (empty.exports / "project_summary.md").read_text()
    titles = ["Scene B", "Scene A", "B's camera", "B's shot", "A broken down", "A's shot", "Stray shot"]
    assert sorted(titles, key=summary.index) == titles
    assert "#### A's shot" in summary  # still nested under its breakdown
    data = json.loads((empty.exports / "project.json").read_text())
    assert [b["id"] for b in data["blocks"]] == ["scene-b", "scene-a", "b-camera", "b-shot", "a-breakdown", "a-shot",
                                                 "a-stray"]
