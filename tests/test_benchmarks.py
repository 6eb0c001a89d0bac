"""The benchmark runs end to end at a tiny size (no timed assertions: it must only work)."""

import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))

import figures_lsp  # noqa: E402
import run  # noqa: E402
from common import percentile  # noqa: E402
from synthetic import generate  # noqa: E402


def test_the_generator_is_deterministic(tmp_path):
    generate(tmp_path / "a", 300, seed=3)
    generate(tmp_path / "b", 300, seed=3)
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.md"))
    assert len(files_a) == 300
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files_a)


def _digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def test_the_clean_shape_is_the_bytes_earlier_runs_measured(tmp_path):
    generate(tmp_path, 300, seed=3)
    assert _digest(tmp_path) == "bed6a2d409477511a6d06664b74a262f9f1d30570e12b5a9367819646a36378c"


def test_the_busy_shape_has_warnings_a_hub_a_chain_and_assets(tmp_path):
    from cinefile.daemon.api import ProjectAPI

    assert generate(tmp_path, 1200, shape="busy") == 1200
    with ProjectAPI.open(tmp_path) as api:
        api.sync()
        status = api.status(shown=1)
        warned = api.index.query("SELECT count(*) AS n FROM blocks WHERE problems != '[]'")[0]["n"]
        hub = api.card("location-hub")
        chain, key = 0, "costume-chain-0000"
        while key.startswith("costume-chain"):
            chain, key = chain + 1, api.card(key).dependencies[0]["id"]
        linked = api.index.query("SELECT count(DISTINCT asset_id) AS n FROM block_assets")[0]["n"]
        shots = api.count_blocks(type="shot")
    assert 0.3 < warned / 1200 < 0.45
    assert {k.code for k in status.kinds} == {"missing-field", "duplicate-dependency", "bad-generated"}
    assert status.errors == 0
    assert len(hub.dependents) == shots  # every shot, up to 2,000
    assert chain == 120  # blocks // 10, up to 1,000
    assert len(list((tmp_path / "assets").iterdir())) == 600 and linked == 600


def test_the_long_shape_is_the_clean_one_with_prose_added(tmp_path):
    generate(tmp_path / "clean", 300, seed=3)
    generate(tmp_path / "long", 300, seed=3, shape="long")
    for path in sorted((tmp_path / "clean").rglob("*.md")):
        clean, long = path.read_text(), (tmp_path / "long" / path.relative_to(tmp_path / "clean")).read_text()
        assert long.startswith(clean) and len(long) - len(clean) > 1500
    sizes = [p.stat().st_size for p in (tmp_path / "long").rglob("*.md")]
    assert 2000 < sum(sizes) / len(sizes) < 3500


def test_a_target_at_another_size_is_judged_on_the_run_at_that_size():
    rows = [{"figure": "status", "unit": "s", "value": value, "floor": None, "floor_value": None, "target": 0.25,
             "targets_at": [[100_000, 1.0]], "size": size} for size, value in ((10_000, 0.2), (100_000, 1.4))]
    line = run.markdown(rows).splitlines()[-1]
    assert "| ≤ 0.250 s; ≤ 1.000 s at 100,000 | yes; NO |" in line
    ratio = [{"figure": "sync", "unit": "s", "value": 0.9, "floor": "floor", "floor_value": 0.5, "target": 0.75, "size": 10_000},
             {"figure": "sync", "unit": "s", "value": 0.1, "floor": "floor", "floor_value": 0.05, "target": 0.075, "size": 1_000}]
    assert "| ≤ 0.750 s | NO |" in run.markdown(ratio)  # the 10,000-block run's own target, relative to its floor
    assert run.markdown(rows[:1]).splitlines()[-1].endswith("| ≤ 0.250 s; ≤ 1.000 s at 100,000 | yes |  |")


def test_percentiles_interpolate_between_ranks():
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([1.0, 2.0], 95) == 1.95
    assert percentile([5.0], 99) == 5.0


def test_the_benchmark_prints_a_table_and_writes_json(tmp_path, capsys):
    out = tmp_path / "results.json"
    run.main(["--sizes", "80", "--repeat", "1", "--samples", "5", "--out", str(out), "--projects", str(tmp_path)])
    rows = json.loads(out.read_text())["rows"]
    figures = {row["figure"] for row in rows}
    assert {"cold sync", "cold sync, `cinefile sync` as a command", "re-sync, nothing changed", "cold sync (busy shape)",
            "save -> index (watcher)",
            "burst of edits -> converged", "daemon peak RSS", "mock generation, per block (text)",
            "`cinefile status`, nothing changed (command)", "`cinefile show` a hub of 2,000 dependents (command)",
            "mark-fresh of 5,000 blocks", "`project.db`, history included (clean shape)",
            "`project.db`, history included (long shape, 2.6 KB blocks)", "cold `cinefile sync` peak RSS (busy shape)"} <= figures
    if figures_lsp.available():
        assert {"LSP start -> first diagnostics", "LSP completion", "LSP hover", "LSP definition",
                "LSP didChange -> diagnostics", "language server peak RSS"} <= figures
    assert all(row["value"] > 0 for row in rows if "less debounce" not in row["figure"])
    assert all(row["floor_value"] > 0 for row in rows if row["floor"])
    printed = capsys.readouterr().out
    assert "cold sync" in printed and "save -> index" in printed


def test_the_tables_in_the_docs_are_the_recorded_run(capsys):
    """README and docs/benchmarks.md show what benchmarks/results/2-cores.json holds."""
    root = Path(__file__).parent.parent
    run.main(["--from-json", str(root / "benchmarks" / "results" / "2-cores.json"), "--markdown"])
    table = capsys.readouterr().out.strip()
    assert table.startswith("| figure |")
    for page in ("README.md", "docs/benchmarks.md"):
        assert table in (root / page).read_text(), f"{page}: its table is not the recorded run's"
