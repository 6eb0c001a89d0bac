"""The benchmark runs end to end at a tiny size (no timed assertions: it must only work)."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))

import run  # noqa: E402
from synthetic import generate  # noqa: E402


def test_the_generator_is_deterministic(tmp_path):
    generate(tmp_path / "a", 300, seed=3)
    generate(tmp_path / "b", 300, seed=3)
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.md"))
    assert len(files_a) == 300
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files_a)


def test_the_benchmark_prints_a_table_and_writes_json(tmp_path, capsys):
    out = tmp_path / "results.json"
    run.main(["--sizes", "60", "--repeat", "1", "--out", str(out), "--projects", str(tmp_path)])
    rows = json.loads(out.read_text())
    assert {row["figure"] for row in rows} >= {"cold sync", "re-sync, nothing changed"}
    assert all(row["seconds"] > 0 and row["floor_seconds"] > 0 for row in rows)
    assert "cold sync" in capsys.readouterr().out
