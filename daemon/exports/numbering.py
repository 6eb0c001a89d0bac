"""Locking scene numbers: write each scene's current number into its `scene_number` field,
so that scenes added or cut later never renumber the others (new ones become 4A, 4B)."""

from __future__ import annotations

from cinefile.format.edit import EditError, set_field

from ..api.history import ensure_unchanged_on_disk
from ..atomic import write_atomic
from ..errors import UserError
from ..index.db import Index
from ..index.sync import sync
from ..project import Project
from .film import Film, text_field


def lock_scene_numbers(project: Project, index: Index) -> list[str]:
    """Write `scene_number` into the scenes that have none; returns the paths written."""
    film = Film.load(project, index)
    written = []
    for scene in film.scenes:
        if text_field(scene, "scene_number"):
            continue
        row = index.block_at(scene.path)
        ensure_unchanged_on_disk(project, row)
        path = project.root / scene.path
        try:
            text = set_field(path.read_text(encoding="utf-8"), "scene_number", film.scene_numbers[scene.path])
        except EditError as error:
            raise UserError(f"{scene.path}: {error}") from None
        write_atomic(path, text)
        written.append(scene.path)
    if written:
        sync(project, index, scope=written)
    return written
