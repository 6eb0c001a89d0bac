"""Exports of the whole project: a readable summary and JSON for other front ends.

Deterministic: no timestamps and a fixed order, so that git diffs of exports mean something.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from cinefile.format.catalog import PHASES, phase_rank, type_rank

from ..index.db import Index, problems_of
from ..project import Project
from .order import sibling_key, tree_order

SUMMARY_NAME = "project_summary.md"
JSON_NAME = "project.json"


@dataclass(frozen=True)
class ExportedBlock:
    id: str
    path: str
    type: str
    phase: str
    title: str
    tags: list
    parent: str | None
    dependencies: list
    state: str
    stale_reason: str
    content_hash: str
    frontmatter: dict
    body: str
    problems: list


def exported_blocks(index: Index) -> list[ExportedBlock]:
    blocks = []
    for row in index.query("SELECT * FROM blocks ORDER BY path"):
        refs = json.loads(row["refs"])
        blocks.append(ExportedBlock(
            row["key"], row["path"], row["type"], row["phase"] or "", row["title"], json.loads(row["tags"] or "[]"),
            row["parent_key"], [{"id": r[0], "type": r[2]} for r in refs if r[1] == "dependency"],
            row["state"] or "", row["stale_reason"] or "", row["content_hash"], json.loads(row["frontmatter"] or "{}"),
            row["content"] or "", problems_of(row)))
    return blocks


Places = dict[str, tuple[int, int]]  # path -> place in the film (Film.story_places)


def ordered(blocks: list[ExportedBlock], places: Places | None = None) -> list[tuple[int, ExportedBlock]]:
    """Blocks in phase order, each followed by its children of the same phase: (depth, block)
    pairs. Within a phase, blocks with a place in the film (acts, beats, scenes, and the
    shooting blocks of each scene) follow it, after the others (logline, concept, outline;
    design) by type; siblings fall back on the order every export keeps (`order`, then path)."""
    places = places or {}

    def key(block: ExportedBlock) -> tuple:
        place = places.get(block.path)
        rank = place if place is not None else (type_rank(block.type), 0)
        return (phase_rank(block.phase), place is not None, rank, sibling_key(block))

    return tree_order(blocks, key, lambda b: b.id, lambda b: b.parent, lambda b: b.path,
                      nests=lambda parent, child: parent.phase == child.phase)


def summary_markdown(project: Project, blocks: list[ExportedBlock], places: Places | None = None) -> str:
    lines = [f"# {project.config.name}", "", f"{len(blocks)} blocks.", ""]
    current_phase = None
    for depth, block in ordered(blocks, places):
        if block.phase != current_phase:
            current_phase = block.phase
            lines += [f"## {current_phase or 'Unknown type'}", ""]
        level = "#" * min(3 + depth, 6)
        lines.append(f"{level} {block.title}")
        lines.append("")
        facts = [f"`{block.id}`", block.type or "no type", f"`{block.path}`"]
        if block.state == "stale":
            facts.append(f"**stale**: {block.stale_reason}")
        lines.append(" · ".join(facts))
        if block.tags:
            lines.append(f"Tags: {', '.join(block.tags)}")
        if block.dependencies:
            lines.append("Depends on: " + ", ".join(
                f"`{d['id']}`" + (f" ({d['type']})" if d["type"] else "") for d in block.dependencies))
        lines.append("")
        body = block.body.strip("\n")
        if body:
            # Demote the block's own headings below the summary's.
            lines += [("#" * min(3 + depth, 5) + line if line.startswith("#") else line) for line in body.split("\n")]
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def project_json(project: Project, blocks: list[ExportedBlock], places: Places | None = None) -> str:
    data = {
        "format": "cinefile-project/1",
        "project": {"name": project.config.name, "mode": project.config.mode},
        "phases": list(PHASES),
        "blocks": [block.__dict__ for _, block in ordered(blocks, places)],
    }
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False, default=str) + "\n"
