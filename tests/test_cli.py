"""The command line, through typer's CliRunner: output, JSON and exit codes."""

import json

import pytest
import typer

from cinefile.cli.app import app

from conftest import write


def all_commands():
    group = typer.main.get_command(app)
    return sorted(group.commands)


@pytest.mark.parametrize("name", all_commands())
def test_every_command_has_help_with_an_example(cli, name, tmp_path):
    for flag in ("-h", "--help"):
        result = cli(name, flag, cwd=tmp_path)
        assert result.exit_code == 0, result.output
        assert "Example" in result.output and f"cinefile {name}" in result.output


def test_the_sample_walkthrough(cli, tmp_path):
    result = cli("init", "night-ferry", "--sample", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "20 blocks, 5 stale" in result.output
    root = tmp_path / "night-ferry"
    assert {p.name for p in root.iterdir()} >= {"story", "design", "shooting", "assets", "exports", "cinefile.toml", ".gitignore"}
    assert "project.db" in (root / ".gitignore").read_text()

    result = cli("sync", cwd=root)
    assert result.exit_code == 0 and result.output.startswith("+0 ~0 -0 >0 in ")

    result = cli("status", cwd=root)
    assert result.exit_code == 0
    assert "Night Ferry · 20 blocks · draft mode" in result.output
    assert "shot-1a is stale: mara-raincoat changed (via scene-1 → scene-1-breakdown)" in result.output
    assert "Problems (0): none" in result.output

    result = cli("export", cwd=root)
    assert result.exit_code == 0 and "wrote exports/project_summary.md" in result.output


def test_status_reports_problems_as_file_line_col_and_exits_1(cli, sample):
    write(sample.root, "story/typo.md", "---\ntype: scnee\n---\n")
    result = cli("status", cwd=sample.root)
    assert result.exit_code == 1
    assert "story/typo.md:2:7: error: unknown type `scnee`: did you mean `scene`?" in result.output


def test_status_json_is_for_tools(cli, sample):
    data = json.loads(cli("status", "--json", cwd=sample.root).output)
    assert data["blocks"] == 20 and data["phases"]["Shooting"] == {"shot_breakdown": 1, "cinematography": 1, "shot": 3}
    assert {s["id"] for s in data["stale"]} == {"scene-1", "scene-1-breakdown", "scene-1-camera", "shot-1a", "shot-1b"}
    assert data["unreviewed"] == [{"id": "shot-2a", "path": "shooting/shot-2a.md"}]


def test_list_filters(cli, sample):
    shots = json.loads(cli("list", "--type", "shot", "--stale", "--json", cwd=sample.root).output)
    assert [b["id"] for b in shots] == ["shot-1a", "shot-1b"]
    leads = json.loads(cli("list", "--tag", "lead", "--json", cwd=sample.root).output)
    assert [b["id"] for b in leads] == ["captain-ilse", "mara"]
    result = cli("list", "--type", "shoot", cwd=sample.root)
    assert result.exit_code == 2 and "--type shoot: unknown (did you mean `shot`?)" in result.output


def test_list_prints_one_aligned_line_per_block(cli, sample):
    lines = cli("list", "--type", "shot", cwd=sample.root).output.splitlines()
    assert lines[0].split() == ["id", "type", "phase", "state", "title", "path"]
    assert [line.split()[0] for line in lines[1:]] == ["shot-1a", "shot-1b", "shot-2a"]
    assert len({line.index("shooting/") for line in lines[1:]}) == 1  # the path column lines up
    assert lines[1].split()[1:4] == ["shot", "Shooting", "stale"] and lines[1].endswith("shooting/shot-1a.md")


def test_show_and_unknown_ids(cli, sample):
    result = cli("show", "scene-2", cwd=sample.root)
    assert result.exit_code == 0
    assert "The Wheelhouse  (scene-2, scene, version 2)" in result.output
    assert "used by:     shot-2a (child)" in result.output
    result = cli("show", "nope", cwd=sample.root)
    assert result.exit_code == 2
    assert result.output.strip() == "cinefile: no block `nope`: check the id with `cinefile list`"


def test_history_undo_and_mark_fresh(cli, sample):
    path = sample.root / "design/wheelhouse.md"
    original = path.read_bytes()
    path.write_text(path.read_text() + "\nA new leak in the roof.\n")
    assert "scene-2 is stale: wheelhouse changed" in cli("status", cwd=sample.root).output
    result = cli("history", "wheelhouse", cwd=sample.root)
    assert [line.split()[2] for line in result.output.splitlines()] == ["create", "update"]
    result = cli("undo", "wheelhouse", cwd=sample.root)
    assert result.exit_code == 0 and "restored design/wheelhouse.md to version 1 (now version 3)" in result.output
    assert path.read_bytes() == original
    result = cli("mark-fresh", "shot-2a", cwd=sample.root)
    assert result.output.strip() == "marked 1 fresh"
    assert json.loads(cli("status", "--json", cwd=sample.root).output)["unreviewed"] == []


def test_graph_text_and_dot(cli, sample):
    text = cli("graph", cwd=sample.root).output
    assert "shot-1b (shot) [stale] -> scene-1-breakdown (parent), mara, mara-raincoat" in text
    dot = cli("graph", "--format", "dot", cwd=sample.root).output
    assert dot.startswith("digraph cinefile {") and '"scene-1" -> "ferry-deck" [label="set_in"];' in dot
    assert cli("graph", "--format", "svg", cwd=sample.root).exit_code == 2


def test_outside_a_project_is_one_clear_line(cli, tmp_path):
    result = cli("status", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.output.strip() == f"cinefile: {tmp_path}: not inside a cinefile project (no cinefile.toml here or above): run `cinefile init`"


def test_a_broken_config_is_one_clear_line(cli, sample):
    (sample.root / "cinefile.toml").write_text('name = "x"\nmode = "best"\n')
    result = cli("status", cwd=sample.root / "story")
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and 'cinefile.toml: `mode` must be "draft" or "final"' in result.output


def test_init_refuses_an_existing_project(cli, sample):
    result = cli("init", str(sample.root), cwd=sample.root)
    assert result.exit_code == 2 and "a project is already here" in result.output


def test_a_corrupt_index_is_one_clear_line(cli, sample):
    sample.db_path.write_bytes(b"this is not a database" * 100)
    result = cli("status", cwd=sample.root)
    assert result.exit_code == 2 and "delete it and run `cinefile sync`" in result.output


def test_a_reader_that_stops_early_is_not_an_error(sample):
    """`cinefile generate --phase story --dry-run --overwrite | head -1` ends quietly, not as an
    internal error (--overwrite: the sample's story text is a person's, kept otherwise)."""
    import subprocess
    import sys

    process = subprocess.Popen([sys.executable, "-m", "cinefile", "generate", "--phase", "story", "--dry-run", "--overwrite"],
                               cwd=sample.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.readline().startswith(b"== ")
    process.stdout.close()
    errors = process.stderr.read().decode()
    assert process.wait() == 0 and "internal error" not in errors


def test_mark_fresh_explains_what_it_cannot_or_need_not_do(cli, sample):
    """A block made from nothing is always fresh; a broken file is an error, and untouched."""
    result = cli("mark-fresh", "mara", cwd=sample.root)
    assert result.exit_code == 0 and "`mara` is made from nothing" in result.output
    broken = write(sample.root, "story/broken.md", "---\ntype: scene\ndependencies: [mara\n---\n")
    result = cli("mark-fresh", "broken", cwd=sample.root)
    assert result.exit_code == 2 and "story/broken.md: cannot mark it fresh while its frontmatter is broken" in result.output
    assert broken.read_text() == "---\ntype: scene\ndependencies: [mara\n---\n"


@pytest.mark.parametrize("name", ['Night Ferry', 'The "Keeper"', "back\\slash", "two\nlines", "tab\there", "Ünï", "bell\x07"])
def test_any_project_name_makes_a_readable_cinefile_toml(name):
    import tomllib

    from cinefile.format.config import config_text

    assert tomllib.loads(config_text(name))["name"] == name
