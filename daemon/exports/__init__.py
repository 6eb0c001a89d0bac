"""The film exports: each format in its own module, all written to exports/ the same way.

Every format reads the index through `Film` and returns {file name: bytes or text}; nothing
here depends on the clock or on dict order, so the same project gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..errors import UserError
from .animatic import Progress, export_animatic
from .breakdown import export_breakdown
from .film import Film
from .fountain import export_fountain
from .shotlist import export_shotlist
from .storyboard import export_storyboard
from .summary import JSON_NAME, SUMMARY_NAME, project_json, summary_markdown, write_export


@dataclass(frozen=True)
class ExportOptions:
    scene_numbers: bool = False  # number every scene heading in the Fountain screenplay
    embed: bool = False  # embed stills in the storyboard instead of linking them
    progress: Progress | None = None  # (seconds done, seconds in all) while the animatic encodes


Writer = Callable[[Film, ExportOptions], dict[str, str | bytes]]

FORMATS: dict[str, Writer] = {
    "summary": lambda film, _: {SUMMARY_NAME: summary_markdown(film.project, film.indexed_blocks)},
    "json": lambda film, _: {JSON_NAME: project_json(film.project, film.indexed_blocks)},
    "fountain": lambda film, options: export_fountain(film, options.scene_numbers),
    "shotlist": lambda film, _: export_shotlist(film),
    "breakdown": lambda film, _: export_breakdown(film),
    "storyboard": lambda film, options: export_storyboard(film, options.embed),
    "animatic": lambda film, options: export_animatic(film, options.progress),
}
FORMAT_NAMES = (*FORMATS, "all")
# What `cinefile export` writes when no --format is given: quick, and needs no ffmpeg.
DEFAULT_FORMATS = ("summary", "json")


def formats_for(names: list[str]) -> list[str]:
    """Resolve --format values (repeated or comma-separated, `all` for every one) in a fixed order."""
    wanted: set[str] = set()
    for name in (part.strip().lower() for value in names for part in value.split(",")):
        if name == "all":
            wanted.update(FORMATS)
        elif name in FORMATS:
            wanted.add(name)
        elif name:
            raise UserError(f"--format {name}: unknown format; use one of {', '.join(FORMAT_NAMES)}")
    return [name for name in FORMATS if name in wanted] or list(DEFAULT_FORMATS)


def export_format(film: Film, name: str, options: ExportOptions = ExportOptions()) -> list[str]:
    """Write one format to exports/; returns the relative paths written."""
    return [write_export(film.project, file_name, data) for file_name, data in FORMATS[name](film, options).items()]
