"""Measure cinefile's speed figures beside their floors, at several project sizes.

    python benchmarks/run.py --sizes 1000,10000 [--out benchmarks/out/results.json]

Prints a table and writes JSON. Projects are generated once per size (deterministic) under
benchmarks/out/projects/.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import figures_sync  # noqa: E402
from synthetic import generate  # noqa: E402

OUT = Path(__file__).parent / "out"


def project_of(size: int, base: Path) -> Path:
    root = base / f"film-{size}"
    if not (root / "cinefile.toml").exists():
        generate(root, size)
    return root


def table(rows: list[dict]) -> str:
    lines = [f"{'size':>7}  {'figure':<28} {'seconds':>9}  {'floor':<24} {'floor s':>9}  {'ratio':>6}"]
    for row in rows:
        ratio = row["seconds"] / row["floor_seconds"] if row.get("floor_seconds") else float("nan")
        lines.append(f"{row['size']:>7}  {row['figure']:<28} {row['seconds']:>9.3f}  {row['floor']:<24} "
                     f"{row['floor_seconds']:>9.3f}  {ratio:>6.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated block counts")
    parser.add_argument("--out", type=Path, default=OUT / "results.json")
    parser.add_argument("--projects", type=Path, default=OUT / "projects")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        root = project_of(size, args.projects)
        rows += [row | {"size": size} for row in figures_sync.measure(root, args.repeat)]
    print(table(rows))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
