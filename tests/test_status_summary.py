"""`cinefile status` sums a big project up (counts, the first few of each list and of each
kind of problem), `--all` prints every line and `--json` keeps everything; `cinefile show`
names the first dependents of a hub and counts the rest."""

import json

import pytest
from cinefile.daemon.api import ProjectAPI
from conftest import block_text, write

SHOTS = 8  # each missing its five shot fields: 40 missing-field warnings


@pytest.fixture
def busy(empty):
    """A location used by 14 shots, none of which gives its shot fields, and a scene listing a
    dependency twice."""
    write(empty.root, "design/harbour.md", block_text("location", "The harbour."))
    write(empty.root, "story/scene-1.md", block_text("scene", "Night.", int_ext="EXT", time_of_day="NIGHT",
                                                     dependencies=["harbour", "harbour"]))
    for n in range(14):
        fields = {"size": "wide", "angle": "low", "movement": "static", "lens": "35mm", "duration": 3} if n >= SHOTS else {}
        write(empty.root, f"shooting/shot-{n:02d}.md", block_text("shot", "Rain.", parent="scene-1",
                                                                  dependencies=["harbour"], **fields))
    return empty


def test_the_summary_counts_each_kind_and_shows_its_first_few(cli, busy):
    result = cli("status", cwd=busy.root)
    lines = result.output.splitlines()
    assert "Problems (41): 41 warnings" in lines
    start = lines.index("  missing-field, 40 warnings:")
    assert [line.startswith("    shooting/shot-00.md:") for line in lines[start + 1:start + 6]] == [True] * 5
    assert lines[start + 6] == "    … and 35 more"
    assert "  duplicate-dependency, 1 warning:" in lines
    assert any(line.startswith("Never reviewed (15): ") and line.endswith("… and 10 more") for line in lines)
    assert lines[-1] == "Each list shows its first 5: `cinefile status --all` prints every line."
    assert result.exit_code == 0  # warnings only


def test_status_all_prints_every_problem_and_every_id(cli, busy):
    lines = cli("status", "--all", cwd=busy.root).output.splitlines()
    problems = [line for line in lines if line.startswith("  shooting/") or line.startswith("  story/")]
    assert len(problems) == 41
    assert not any("… and" in line for line in lines)
    never = next(line for line in lines if line.startswith("Never reviewed"))
    assert len(never.split(": ", 1)[1].split()) == 15


def test_status_json_keeps_everything_with_the_counts(cli, busy):
    data = json.loads(cli("status", "--json", cwd=busy.root).output)
    assert len(data["problems"]) == 41 and len(data["unreviewed"]) == 15 and data["complete"]
    assert data["counts"] == {"stale": 0, "unreviewed": 15, "broken": 0, "problems": 41, "errors": 0, "warnings": 41}
    assert data["kinds"][0] == {"code": "missing-field", "severity": "warning", "count": 40}


def test_errors_come_first_and_make_status_and_sync_exit_1(cli, busy):
    write(busy.root, "story/scene-2.md", block_text("scene", "", int_ext="INT", time_of_day="DAY", dependencies=["nowhere"]))
    result = cli("status", cwd=busy.root)
    assert result.exit_code == 1
    problems = result.output.split("Problems (", 1)[1].splitlines()
    assert problems[0] == "42): 1 error, 41 warnings"
    assert problems[1] == "  unknown-ref, 1 error:"
    assert cli("sync", cwd=busy.root).exit_code == 1
    with ProjectAPI(busy) as api:
        assert api.error_count() == 1 == api.status(shown=5).errors == api.status().errors


def test_show_names_the_first_dependents_and_counts_the_rest(cli, busy):
    line = next(line for line in cli("show", "harbour", cwd=busy.root).output.splitlines() if "used by:" in line)
    assert line.count("(dependency)") == 10
    assert line.endswith(", … and 5 more (--all lists them)")
    every = next(line for line in cli("show", "harbour", "--all", cwd=busy.root).output.splitlines() if "used by:" in line)
    assert every.count("(dependency)") == 15 and "more" not in every
    data = json.loads(cli("show", "harbour", "--json", cwd=busy.root).output)
    assert len(data["dependents"]) == 15
