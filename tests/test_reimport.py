"""Importing a revised screenplay updates the project in place (daemon/exports/reimport.py,
through the project API's `import_fountain` and `cinefile import`): scenes matched, changed
text replaced with the old in history, new scenes added, gone ones listed and pruned only
when asked, shots staying attached and going stale, a person's text never replaced unasked.

low-tide.fountain has five scenes; low-tide-revised.fountain changes a line of the bait shed
scene, cuts the sea wall scene, adds a harbour scene and swaps the last two."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cinefile.daemon.api import FileChange, ProjectAPI, WriteConflict
from cinefile.daemon.api.scaffold import init_project
from cinefile.daemon.exports.film import Film
from cinefile.daemon.exports.scene_match import SceneKey, match_scenes
from cinefile.format.edit import set_body, set_field
from conftest import write

SCREENPLAYS = Path(__file__).parent / "screenplays"
FIRST, REVISED = SCREENPLAYS / "low-tide.fountain", SCREENPLAYS / "low-tide-revised.fountain"
STILL = "a" * 64
SHOT = f"""---
type: shot
title: Coins
parent: scene-2
size: close-up
dependencies: [peter]
assets:
  - {{sha256: {STILL}, role: still, approved: true}}
---
Close on Peter's hands counting coins.
"""


@pytest.fixture
def tide(tmp_path, cli):
    """Low Tide imported once, with a shot of the bait shed scene marked up to date."""
    project = init_project(tmp_path / "tide", name="Low Tide")
    assert cli("import", str(FIRST), cwd=project.root).exit_code == 0
    write(project.root, "shooting/shot-2a.md", SHOT)
    with ProjectAPI(project) as api:
        api.sync()
        api.mark_fresh(["shot-2a"])
    return project


def files(project) -> dict[str, bytes]:
    return {str(p.relative_to(project.root)): p.read_bytes() for p in project.root.rglob("*.md")}


def scene_order(project) -> list[str]:
    with ProjectAPI(project) as api:
        api.sync()
        return [scene.id for scene in Film.load(project, api.index).scenes]


def test_reimporting_the_same_screenplay_changes_nothing(tide, cli):
    before = files(tide)
    result = cli("import", str(FIRST), cwd=tide.root)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].endswith("; 0 updated; 7 unchanged")  # an act, a beat, five scenes
    assert files(tide) == before


def test_a_revised_screenplay_updates_the_project_in_place(tide, cli):
    result = cli("import", str(REVISED), cwd=tide.root)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "created design/harbour.md",
        "created design/harbourmaster.md",
        "created story/scene-3-2.md",
        "updated story/scene-2.md (text)",
        "updated story/scene-5.md (order)",
        "updated story/scene-4.md (order)",
        "gone story/scene-3.md: no longer in the screenplay; kept (--prune deletes it)",
        ("imported low-tide-revised.fountain: 0 acts, 0 beats, 1 scene, 1 character, 1 location; reused 5 existing: "
         "mudflats, nora, bait-shed, peter, nora-s-kitchen; title page not imported: cinefile.toml has a [title_page] "
         "table already; 3 updated; 3 unchanged; 1 no longer in the screenplay, kept")]
    # No duplicates: one block per scene of the revised screenplay, in its order, and the cut
    # one kept (at its old place in the order, shared with the new scene: then by path).
    assert scene_order(tide) == ["scene-1", "scene-2", "scene-3-2", "scene-3", "scene-5", "scene-4"]
    scene = (tide.root / "story/scene-2.md").read_text()
    assert "The sea's slow today. So am I." in scene and "The sea's late." not in scene
    assert "source: low-tide-revised.fountain" in scene
    assert (tide.root / "story/scene-3.md").is_file()
    new = (tide.root / "story/scene-3-2.md").read_text()
    assert "parent: beat-1" in new and "{id: harbourmaster, type: appears_in}" in new
    with ProjectAPI(tide) as api:
        versions = api.history("scene-2")
        assert [v.how for v in versions] == ["import", "import"]
        assert "The sea's late." in versions[0].text  # the old text, in history
        shot = api.card("shot-2a")
        assert shot.state == "stale" and "scene-2" in shot.stale_reason  # still its scene's, and stale
        assert shot.parent == "scene-2" and [a.sha256 for a in shot.assets] == [STILL]
        assert api.card("scene-1").state != "stale"


def test_prune_removes_the_gone_scenes_into_history(tide, cli):
    result = cli("import", str(REVISED), "--prune", cwd=tide.root)
    assert result.exit_code == 0, result.output
    assert "removed story/scene-3.md" in result.output.splitlines()
    assert result.output.splitlines()[-1].endswith("; 1 removed")
    assert not (tide.root / "story/scene-3.md").exists()
    with ProjectAPI(tide) as api:
        versions = api.history("story/scene-3.md")
        assert versions[-1].how == "delete" and "Your father never caught anything either." in versions[-2].text
        api.undo("story/scene-3.md")  # and history brings it back
    assert (tide.root / "story/scene-3.md").is_file()


def test_prune_keeps_a_gone_scene_edited_in_cinefile_unless_overwrite(tide, cli):
    path = tide.root / "story/scene-3.md"
    mine = path.read_text().replace("The gulls wait in a row.", "The gulls wait in a row, like a jury.")
    with ProjectAPI(tide) as api:
        api.apply(FileChange("story/scene-3.md", path.read_text(), mine))
    result = cli("import", str(REVISED), "--prune", cwd=tide.root)
    assert result.exit_code == 0, result.output
    assert ("gone story/scene-3.md: no longer in the screenplay; kept (its text was edited in cinefile since it was "
            "imported: --prune --overwrite deletes it)") in result.output.splitlines()
    assert path.read_text() == mine
    result = cli("import", str(REVISED), "--prune", "--overwrite", cwd=tide.root)
    assert "removed story/scene-3.md" in result.output.splitlines() and not path.exists()


def test_a_scene_edited_in_cinefile_is_kept_and_reported(tide, cli):
    path = tide.root / "story/scene-2.md"
    mine = path.read_text().replace("Crates of lugworm.", "Crates of ragworm, and a radio playing the shipping forecast.")
    with ProjectAPI(tide) as api:
        api.apply(FileChange("story/scene-2.md", path.read_text(), mine))
    result = cli("import", str(REVISED), cwd=tide.root)
    assert result.exit_code == 1
    assert ("kept story/scene-2.md: its text was edited in cinefile since it was imported; --overwrite replaces "
            "it (the old text stays in history)") in result.output.splitlines()
    assert "updated story/scene-2.md" not in result.output and "created story/scene-3-2.md" in result.output
    assert path.read_text() == mine
    result = cli("import", str(REVISED), "--overwrite", cwd=tide.root)
    assert result.exit_code == 0, result.output
    assert "updated story/scene-2.md (text)" in result.output
    assert "So am I." in path.read_text()
    with ProjectAPI(tide) as api:
        assert "Crates of ragworm" in api.history("scene-2")[-2].text


def test_dry_run_writes_nothing_and_lists_the_plan(tide, cli):
    before = files(tide)
    config = (tide.root / "cinefile.toml").read_bytes()
    result = cli("import", str(REVISED), "--dry-run", "--prune", cwd=tide.root)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:7] == ["would create design/harbour.md", "would create design/harbourmaster.md",
                         "would create story/scene-3-2.md", "would update story/scene-2.md (text)",
                         "would update story/scene-5.md (order)", "would update story/scene-4.md (order)",
                         "would remove story/scene-3.md"]
    assert lines[-1].endswith("; 1 would be removed")
    assert files(tide) == before and (tide.root / "cinefile.toml").read_bytes() == config


def test_json_output_has_the_whole_plan(tide, cli):
    result = cli("import", str(REVISED), "--json", "--dry-run", cwd=tide.root)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["dry_run"] is True and report["prune"] is False
    assert [b["path"] for b in report["created"]] == ["design/harbour.md", "design/harbourmaster.md", "story/scene-3-2.md"]
    assert report["updated"] == [
        {"id": "scene-2", "type": "scene", "path": "story/scene-2.md", "what": ["text"]},
        {"id": "scene-5", "type": "scene", "path": "story/scene-5.md", "what": ["order"]},
        {"id": "scene-4", "type": "scene", "path": "story/scene-4.md", "what": ["order"]}]
    assert report["unchanged"] == ["act-1", "beat-1", "scene-1"]
    assert report["gone"] == [{"id": "scene-3", "type": "scene", "path": "story/scene-3.md", "named_by": [],
                              "kept_reason": None}]
    assert report["conflicts"] == [] and report["summary"].endswith("; 1 no longer in the screenplay, kept")


def test_a_still_linked_in_the_scene_stays_when_its_text_is_updated(tide, cli):
    path = tide.root / "story/scene-2.md"
    embed = f"![Still {STILL[:12]}: Bait Shed, day](../assets/{STILL}.png)"
    text = path.read_text()
    linked = set_body(set_field(text, "assets", [{"sha256": STILL, "role": "still", "approved": False}]),
                      text.split("---\n", 2)[2] + "\n" + embed + "\n")
    with ProjectAPI(tide) as api:
        api.apply(FileChange("story/scene-2.md", text, linked))
    assert cli("import", str(REVISED), cwd=tide.root).exit_code == 0  # the embed is no edit of the text
    scene = path.read_text()
    assert "So am I." in scene and scene.rstrip().endswith(embed) and f"sha256: {STILL}" in scene


def test_a_locked_scene_number_matches_whatever_the_heading(tmp_path, cli):
    project = init_project(tmp_path / "numbers")
    first = tmp_path / "first.fountain"
    first.write_text("INT. HALL - DAY #1#\n\nANNA\nHello.\n\nEXT. YARD - NIGHT #2#\n\nBOB waits by the gate.\n")
    assert cli("import", str(first), cwd=project.root).exit_code == 0
    moved = tmp_path / "moved.fountain"
    moved.write_text("INT. HALL - DAY #1#\n\nANNA\nHello.\n\nINT. BARN - DAWN #2#\n\nBOB sleeps in the hay.\n")
    result = cli("import", str(moved), cwd=project.root)
    assert result.exit_code == 0, result.output
    assert "updated story/scene-2.md (int_ext, time_of_day, title, dependencies, text)" in result.output
    text = (project.root / "story/scene-2.md").read_text()
    assert "- id: barn\n  type: set_in\n" in text and "yard" not in text and "title: Barn, dawn" in text
    assert scene_order(project) == ["scene-1", "scene-2"]


def test_a_renamed_act_is_new_and_the_old_one_gone(tide, cli):
    renamed = tide.root.parent / "renamed.fountain"
    renamed.write_text(FIRST.read_text().replace("# ACT ONE", "# PART ONE"))
    result = cli("import", str(renamed), cwd=tide.root)
    assert result.exit_code == 0, result.output
    assert "created story/act-1-2.md" in result.output and "updated story/beat-1.md (parent)" in result.output
    assert "gone story/act-1.md: no longer in the screenplay; kept (--prune deletes it)" in result.output


def test_the_exported_sample_matches_its_own_scenes(sample, cli):
    """A project written in cinefile: its exported screenplay, imported, makes nothing new."""
    assert cli("export", "-f", "fountain", cwd=sample.root).exit_code == 0
    result = cli("import", str(sample.exports / "screenplay.fountain"), cwd=sample.root)
    assert result.exit_code == 0, result.output
    assert not [line for line in result.output.splitlines() if line.startswith(("created story", "kept", "gone"))]
    assert "updated story/scene-2.md (order)" in result.output  # the screenplay's order, written down


def test_matching_takes_each_block_once_and_leaves_a_different_scene_alone():
    kitchen = lambda text, number=None: SceneKey.of(number, "INT", "Kitchen", "Day", text)
    old = [kitchen("Berit pours coffee from a pan. BERIT Lamp at sunset."), kitchen("Jonas sleeps at the table.")]
    new = [kitchen("Berit pours tea from a pan. BERIT Lamp at sunset."),
           kitchen("Berit pours coffee from a pan. BERIT Lamp at sunset, always."),
           kitchen("A fox gets in through the cat flap and eats the butter.")]
    assert match_scenes(new, old) == {1: 0}  # the closer of two, once; the fox is a new scene
    assert match_scenes([kitchen("Anything at all.", "7")], [kitchen("Nothing alike here.", "7")]) == {0: 0}


def test_the_import_is_one_guarded_write(tide, monkeypatch):
    """A scene changed on disk between the plan and the write: nothing at all is written."""
    import cinefile.daemon.exports.reimport as reimport  # the API imports it when an import runs

    planned = reimport.plan_reimport

    def plan_then_edit(*args, **kwargs):
        report = planned(*args, **kwargs)
        scene = tide.root / "story/scene-2.md"
        scene.write_text(scene.read_text() + "\nA line typed meanwhile.\n")
        return report

    monkeypatch.setattr(reimport, "plan_reimport", plan_then_edit)
    before = files(tide)
    with ProjectAPI(tide) as api, pytest.raises(WriteConflict, match="story/scene-2.md: changed on disk"):
        api.import_fountain(REVISED, prune=True)
    after = files(tide)
    assert after.pop("story/scene-2.md") != before.pop("story/scene-2.md")
    assert after == before  # no new scene, no update, nothing pruned


def test_the_http_api_reports_the_whole_plan(tide):
    from cinefile.daemon.http.schemas import ImportReport

    with ProjectAPI(tide) as api:
        report = api.import_fountain(REVISED, dry_run=True, prune=True).to_json()
    assert ImportReport.model_validate(report).model_dump() == report
    assert report["removed"] == ["story/scene-3.md"]
