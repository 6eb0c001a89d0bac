"""The sample film's exports, byte for byte, against the files in tests/golden/night-ferry/.

After an intended change to an export, regenerate them and review the diff:

    CINEFILE_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_exports_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden" / "night-ferry"
# Everything but the animatic, whose bytes depend on the ffmpeg build (tests/test_animatic.py).
TEXT_FORMATS = "summary,json,fountain,shotlist,breakdown,storyboard"
GOLDEN_FILES = ["project_summary.md", "project.json", "screenplay.fountain", "shotlist.csv", "breakdown.md",
                "breakdown.csv", "storyboard.html"]


@pytest.fixture
def exported(sample, cli):
    result = cli("export", "--format", TEXT_FORMATS, cwd=sample.root)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [f"wrote exports/{name}" for name in GOLDEN_FILES]
    return sample.exports


@pytest.mark.parametrize("name", GOLDEN_FILES)
def test_sample_export_matches_golden_file(exported, name):
    actual = (exported / name).read_bytes()
    golden = GOLDEN / name
    if os.environ.get("CINEFILE_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(actual)
    assert golden.is_file(), f"{golden} is missing: regenerate with CINEFILE_UPDATE_GOLDEN=1"
    assert actual == golden.read_bytes(), f"{name} differs from {golden}: if intended, regenerate the golden files"


def test_exporting_again_rewrites_nothing(exported, sample, cli):
    before = {name: (exported / name).stat().st_mtime_ns for name in GOLDEN_FILES}
    result = cli("export", "--format", TEXT_FORMATS, cwd=sample.root)
    assert result.exit_code == 0, result.output
    assert {name: (exported / name).stat().st_mtime_ns for name in GOLDEN_FILES} == before
    assert result.output.splitlines() == [f"unchanged exports/{name}" for name in GOLDEN_FILES]


def test_default_export_is_summary_and_json(sample, cli):
    result = cli("export", cwd=sample.root)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["wrote exports/project_summary.md", "wrote exports/project.json"]
    assert sorted(p.name for p in sample.exports.iterdir()) == ["project.json", "project_summary.md"]


def test_unknown_format_is_one_line_and_exit_2(sample, cli):
    result = cli("export", "--format", "pdf", cwd=sample.root)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "cinefile: unknown export format `pdf`; use one of summary, json, fountain, fdx, shotlist, breakdown, "
        "storyboard, storyboard-pdf, lookbook, animatic, all"]
    assert not list(sample.exports.iterdir())


def test_a_misspelt_format_gets_the_closest_name(sample, cli):
    result = cli("export", "-f", "summary,storybord", cwd=sample.root)
    assert result.exit_code == 2
    assert result.output.startswith("cinefile: unknown export format `storybord` (did you mean `storyboard`?); use one of")
    assert not list(sample.exports.iterdir())


@pytest.mark.parametrize("command", ["export", "import"])
def test_help_has_an_example(cli, command):
    result = cli(command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output
