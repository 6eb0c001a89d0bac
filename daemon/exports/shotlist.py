"""The shot list: one CSV row per shot, in film order, with the columns crews use."""

from __future__ import annotations

from .film import Film, body_text, one_line, seconds, text_field
from .table import csv_text, joined, number_text

SHOTLIST_NAME = "shotlist.csv"
COLUMNS = ["scene", "shot", "id", "location", "description", "size", "angle", "movement", "lens",
           "characters", "props", "duration", "status", "still"]


def shotlist(film: Film) -> str:
    rows = []
    for scene, shot in film.ordered_shots():
        location = film.location_of(shot) or (film.location_of(scene) if scene else None)
        still = film.still(shot)
        rows.append([
            film.scene_numbers[scene.path] if scene else "",
            film.shot_numbers[shot.path],
            shot.id,
            location.title if location else "",
            one_line(body_text(shot)) or shot.title,
            text_field(shot, "size") or text_field(shot, "framing"),
            text_field(shot, "angle"),
            text_field(shot, "movement"),
            text_field(shot, "lens"),
            joined([c.title for c in film.dependencies(shot, ("character",))]),
            joined([p.title for p in film.dependencies(shot, ("prop",))]),
            number_text(seconds(shot)),
            shot.state,
            still.relative if still else "",
        ])
    return csv_text(COLUMNS, rows)


def export_shotlist(film: Film) -> dict[str, str]:
    return {SHOTLIST_NAME: shotlist(film)}
