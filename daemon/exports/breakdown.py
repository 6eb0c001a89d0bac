"""The breakdown: per scene, the cast, locations, props and costumes it needs, gathered from
the dependencies of the scene and of its shooting blocks (breakdowns, camera notes, shots)."""

from __future__ import annotations

from .film import Film
from .summary import ExportedBlock
from .table import csv_text, joined

BREAKDOWN_MD = "breakdown.md"
BREAKDOWN_CSV = "breakdown.csv"
CATEGORIES = (("cast", "character"), ("locations", "location"), ("props", "prop"), ("costumes", "costume"))


def needs(film: Film, scene: ExportedBlock) -> dict[str, list[ExportedBlock]]:
    sources = [scene, *film.shooting_blocks(scene)]
    found: dict[str, list[ExportedBlock]] = {}
    for category, type_name in CATEGORIES:
        items: list[ExportedBlock] = []
        for source in sources:
            items += [b for b in film.dependencies(source, (type_name,)) if b not in items]
        found[category] = items
    return found


def breakdown_markdown(film: Film) -> str:
    lines = [f"# {film.name}: breakdown", ""]
    for scene in film.scenes:
        lines += [f"## {film.scene_numbers[scene.path]}. {film.heading(scene)}", "", f"{scene.title} (`{scene.id}`)", ""]
        for category, items in needs(film, scene).items():
            listed = ", ".join(f"{b.title} (`{b.id}`)" for b in items) or "none"
            lines.append(f"- **{category.capitalize()}:** {listed}")
        lines.append("")
    if not film.scenes:
        lines += ["No scenes yet.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def breakdown_csv(film: Film) -> str:
    rows = []
    for scene in film.scenes:
        found = needs(film, scene)
        rows.append([film.scene_numbers[scene.path], scene.id, film.heading(scene), scene.title,
                     *(joined([b.title for b in found[category]]) for category, _ in CATEGORIES)])
    return csv_text(["scene", "id", "heading", "title", *(category for category, _ in CATEGORIES)], rows)


def export_breakdown(film: Film) -> dict[str, str]:
    return {BREAKDOWN_MD: breakdown_markdown(film), BREAKDOWN_CSV: breakdown_csv(film)}
