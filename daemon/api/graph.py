"""The dependency graph, drawn as text or as Graphviz dot."""

from __future__ import annotations

import json

from ..index.db import Index


def _edges(index: Index) -> tuple[list[dict], list[tuple[str, str, str, str | None]]]:
    rows = index.query("SELECT key, type, title, state, refs FROM blocks ORDER BY path")
    edges = []
    for row in rows:
        for target, kind, relation, _ in json.loads(row["refs"]):
            edges.append((row["key"], target, kind, relation))
    return rows, edges


def graph_text(index: Index) -> str:
    rows, edges = _edges(index)
    out = []
    by_source: dict[str, list[str]] = {}
    for source, target, kind, relation in edges:
        label = f"{target} (parent)" if kind == "parent" else (f"{target} ({relation})" if relation else target)
        by_source.setdefault(source, []).append(label)
    for row in rows:
        mark = " [stale]" if row["state"] == "stale" else ""
        targets = ", ".join(by_source.get(row["key"], [])) or "-"
        out.append(f"{row['key']} ({row['type'] or '?'}){mark} -> {targets}")
    return "\n".join(out) + ("\n" if out else "")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def graph_dot(index: Index) -> str:
    rows, edges = _edges(index)
    out = ["digraph cinefile {", "  rankdir=LR;", "  node [shape=box, fontname=Helvetica];"]
    for row in rows:
        style = ', style=filled, fillcolor="#ffd7a8"' if row["state"] == "stale" else ""
        out.append(f"  {_quote(row['key'])} [label={_quote(row['title'] + chr(10) + (row['type'] or '?'))}{style}];")
    for source, target, kind, relation in edges:
        attrs = ["style=dashed"] if kind == "parent" else []
        if relation:
            attrs.append(f"label={_quote(relation)}")
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        out.append(f"  {_quote(source)} -> {_quote(target)}{suffix};")
    out.append("}")
    return "\n".join(out) + "\n"
