"""Without ffmpeg, the animatic says so in one line, and the other formats are still written."""

from __future__ import annotations


def test_missing_ffmpeg_is_one_clear_line(sample, cli, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = cli("export", "--format", "all", cwd=sample.root)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines[:-1] == [f"wrote exports/{name}" for name in (
        "project_summary.md", "project.json", "screenplay.fountain", "shotlist.csv", "breakdown.md", "breakdown.csv",
        "storyboard.html")]
    assert lines[-1] == ("cinefile: animatic: ffmpeg is not installed or not on PATH: install it "
                         "(apt install ffmpeg, brew install ffmpeg) and run the export again")
    assert not (sample.exports / "animatic.mp4").exists()
