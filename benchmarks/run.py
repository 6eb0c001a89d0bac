"""Measure cinefile's speed figures beside their floors, at several project sizes.

    python benchmarks/run.py --sizes 1000,10000,100000

Prints a table (Markdown with --markdown) and writes JSON. Projects are generated once per
size (deterministic) under benchmarks/out/projects/. Targets are the ones set for 10,000
blocks; at other sizes the table shows how each figure grows.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import figures_commands  # noqa: E402
import figures_generate  # noqa: E402
import figures_http  # noqa: E402
import figures_lsp  # noqa: E402
import figures_size  # noqa: E402
import figures_studio  # noqa: E402
import figures_sync  # noqa: E402
import figures_watch  # noqa: E402
from synthetic import generate  # noqa: E402

OUT = Path(__file__).parent / "out"
TARGET_SIZE = 10_000
FIGURES = ("sync", "commands", "size", "watch", "lsp", "generate", "studio", "http")
# The figure groups measured on the busy project (warnings, a hub, a deep chain, assets);
# the others on the clean one, the shape earlier runs were measured on. The sync group is
# measured on both (its targets are set for both), the busy shape's rows named so.
BUSY_FIGURES = ("commands",)


def project_of(size: int, base: Path, shape: str = "clean") -> Path:
    root = base / (f"film-{size}" if shape == "clean" else f"film-{shape}-{size}")
    if not (root / "cinefile.toml").exists():
        generate(root, size, shape=shape)
    return root


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if unit == "s":
        return f"{value:.3f} s" if value >= 0.1 else f"{value * 1000:.2f} ms"
    return f"{value:.1f} {unit}"


def _cells(row: dict) -> list[str]:
    unit = row["unit"]
    if "p50" in row:
        value = f"{row['p50']:.1f} / {row['p95']:.1f} / {row['p99']:.1f} ms"
    else:
        value = _number(row["value"], unit)
    floor = f"{row['floor']}: {_number(row['floor_value'], unit)}" if row.get("floor") else ""
    ratio = f"{row['value'] / row['floor_value']:.2f}x" if row.get("floor_value") else ""
    target = _target_text(row, _targets(row))
    met = next(("yes" if row["value"] <= limit else "NO" for size, limit in _targets(row) if size == row["size"]), "")
    return [f"{row['size']:,}", row["figure"], value, floor, ratio, target, met, row.get("note", "")]


def _targets(row: dict) -> list[tuple[int, float]]:
    """(size, limit) of every target the row's figure has: at 10,000 blocks, and at others."""
    found = [(TARGET_SIZE, row["target"])] if row.get("target") is not None else []
    return found + [(int(size), limit) for size, limit in row.get("targets_at", ())]


def _target_text(row: dict, targets: list[tuple[int, float]]) -> str:
    """"≤ 0.250 s", and "≤ 1.000 s at 100,000" for a target at another size."""
    prefix = "p95 " if "p95" in row else ""
    return "; ".join(prefix + "≤ " + _number(limit, row["unit"]) + ("" if size == TARGET_SIZE else f" at {size:,}")
                     for size, limit in targets)


def _judged(runs: dict[int, dict]) -> tuple[list[tuple[int, float]], str]:
    """A figure's targets and whether each is met, from its runs by size: each target as the
    run at its size set it (a target relative to a floor is that run's), judged on that run;
    a size not measured says nothing."""
    base = runs.get(TARGET_SIZE) or next(iter(runs.values()))
    targets = [(size, dict(_targets(runs[size])).get(size, limit) if size in runs else limit) for size, limit in _targets(base)]
    met = "; ".join("yes" if runs[size]["value"] <= limit else "NO" for size, limit in targets if size in runs)
    return targets, met


HEADER = ["blocks", "figure", "value (p50 / p95 / p99)", "floor", "vs floor", f"target (at {TARGET_SIZE:,} unless said)",
          "met", "note"]


def table(rows: list[dict]) -> str:
    lines = [HEADER] + [_cells(row) for row in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in lines)


def _value(row: dict) -> str:
    if "p50" in row:
        return f"{row['p50']:.1f} / {row['p95']:.1f} / {row['p99']:.1f} ms"
    cell = _number(row["value"], row["unit"])
    if row.get("floor_value"):
        cell += f" ({row['value'] / row['floor_value']:.1f}× the floor, {_number(row['floor_value'], row['unit'])})"
    return cell


def markdown(rows: list[dict]) -> str:
    """One line per figure, one column per size: how each figure grows, and its target."""
    sizes = sorted({row["size"] for row in rows})
    figures = list(dict.fromkeys(row["figure"] for row in rows))
    found = {(row["figure"], row["size"]): row for row in rows}
    header = ["figure", *(f"{size:,} blocks" for size in sizes), f"target (at {TARGET_SIZE:,} unless said)", "met", "floor"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for figure in figures:
        runs = {size: found[(figure, size)] for size in sizes if (figure, size) in found}
        some = next(iter(runs.values()))
        targets, met = _judged(runs)
        values = [_value(runs[size]) if size in runs else "" for size in sizes]
        lines.append("| " + " | ".join([figure, *values, _target_text(some, targets), met, some.get("floor") or ""]) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated block counts")
    parser.add_argument("--figures", default=",".join(FIGURES), help="which figure groups: " + ", ".join(FIGURES))
    parser.add_argument("--out", type=Path, default=OUT / "results.json")
    parser.add_argument("--projects", type=Path, default=OUT / "projects")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each sync figure (the best counts)")
    parser.add_argument("--samples", type=int, default=400, help="requests of each kind for the latency figures")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table, one column per size")
    parser.add_argument("--from-json", type=Path, metavar="FILE", help="print the table of an earlier run; measure nothing")
    args = parser.parse_args(argv)
    if args.from_json:
        rows = json.loads(args.from_json.read_text())["rows"]
        print(markdown(rows) if args.markdown else table(rows))
        return
    groups = [name.strip() for name in args.figures.split(",") if name.strip()]
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        for name in groups:
            found = _measure(name, size, args)
            rows += [row | {"size": size} for row in found]
            print(table([row | {"size": size} for row in found]).split("\n", 1)[-1], file=sys.stderr, flush=True)
    print(markdown(rows) if args.markdown else table(rows))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    machine = {"python": platform.python_version(), "machine": platform.machine(), "cpus": _cpus()}
    args.out.write_text(json.dumps({"machine": machine, "rows": rows}, indent=2) + "\n")


def _measure(name: str, size: int, args) -> list[dict]:
    if name == "size":  # on each shape
        return figures_size.measure(size, lambda size, shape: project_of(size, args.projects, shape))
    root = project_of(size, args.projects, "busy" if name in BUSY_FIGURES else "clean")
    if name == "sync":
        busy = project_of(size, args.projects, "busy")
        return figures_sync.measure(root, args.repeat) + [
            row | {"figure": f"{row['figure']} (busy shape)"} for row in figures_sync.measure(busy, args.repeat)]
    if name == "commands":
        return figures_commands.measure(root, args.repeat)
    if name == "watch":
        return figures_watch.measure(root, edits=max(args.samples // 5, 5))
    if name == "generate":
        return figures_generate.measure(root, blocks=max(args.samples // 10, 3))
    if name == "studio":
        return figures_studio.measure(root, opens=max(args.samples // 20, 3), saves=max(args.samples // 20, 3),
                                      renders=max(args.samples // 80, 1))
    if name == "http":
        return figures_http.measure(root, requests=args.samples, writes=max(args.samples // 8, 5))
    if name == "lsp":
        if not figures_lsp.available():
            print("skipping the language server figures: this install has no `cinefile lsp`", file=sys.stderr)
            return []
        return figures_lsp.measure(root, requests=args.samples, changes=max(args.samples // 4, 5))
    raise SystemExit(f"unknown figure group `{name}`: use {', '.join(FIGURES)}")


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


if __name__ == "__main__":
    main()
