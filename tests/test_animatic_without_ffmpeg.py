"""Animatic errors that come before any encoding: no ffmpeg, no shots."""

from __future__ import annotations


def test_missing_ffmpeg_is_one_clear_line(sample, cli, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = cli("export", "--format", "all", cwd=sample.root)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines[:-1] == [f"wrote exports/{name}" for name in (
        "project_summary.md", "project.json", "screenplay.fountain", "screenplay.fdx", "shotlist.csv", "breakdown.md",
        "breakdown.csv", "storyboard.html", "storyboard.pdf", "lookbook.pdf")]
    assert lines[-1] == ("cinefile: animatic: ffmpeg is not installed or not on PATH: install it "
                         "(apt install ffmpeg, brew install ffmpeg) and run the export again")
    assert not (sample.exports / "animatic.mp4").exists()


def test_a_project_without_shots_says_what_to_add(tmp_path, cli):
    from cinefile.daemon.api.scaffold import init_project

    project = init_project(tmp_path / "empty")
    result = cli("export", "-f", "animatic", cwd=project.root)
    assert result.exit_code == 0  # nothing to cut yet is no failure
    assert result.output == ("cinefile: animatic: the project has no shots: add shot blocks (type: shot) "
                             "with a `duration`\n")
