"""Locking scene numbers: write each scene's current number into its `scene_number` field,
so that scenes added or cut later never renumber the others (new ones become 4A, 4B).

Pure: the numbers to write, and a scene's text with its number in it. The project API turns
them into file changes (`FilmIO.scene_number_changes`), written by its guarded write or sent
to an editor."""

from __future__ import annotations

from cinefile.format.edit import EditError, set_field

from ..errors import UserError
from .film import Film, text_field


def numbers_to_lock(film: Film) -> dict[str, str]:
    """Scene path -> its current number, for the scenes that have no `scene_number` yet."""
    return {scene.path: film.scene_numbers[scene.path] for scene in film.scenes if not text_field(scene, "scene_number")}


def with_scene_number(path: str, text: str, number: str) -> str:
    """The scene's text with `scene_number` set, the rest of it as it was."""
    try:
        return set_field(text, "scene_number", number)
    except EditError as error:
        raise UserError(f"{path}: {error}") from None
