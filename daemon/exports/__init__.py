"""The film exports: each format in its own module, all written to exports/ the same way.

Every format reads the index through `Film` and returns {file name: bytes or text}; nothing
here depends on the clock or on dict order, so the same project gives the same bytes. The
operation that runs them (`export` of the project API, daemon/api/film.py) holds the rules:
which formats, locking scene numbers first, what a format that cannot be made says.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable

from cinefile.format.parse import closest

from ..atomic import write_atomic
from ..errors import UserError
from ..inside import folder_inside, read_regular, regular_file
from ..project import Project
from .animatic import ANIMATIC_NAME, Progress, export_animatic
from .breakdown import BREAKDOWN_CSV, BREAKDOWN_MD, export_breakdown
from .fdx import FDX_NAME, export_fdx
from .film import Film
from .fountain import FOUNTAIN_NAME, export_fountain
from .lookbook import LOOKBOOK_NAME, export_lookbook
from .pdf import NEEDS as PDF_NEEDS
from .shotlist import SHOTLIST_NAME, export_shotlist
from .storyboard import STORYBOARD_NAME, STORYBOARD_PDF_NAME, export_storyboard, export_storyboard_pdf
from .summary import JSON_NAME, SUMMARY_NAME, project_json, summary_markdown


@dataclass(frozen=True)
class ExportOptions:
    scene_numbers: bool = False  # number every scene heading in the screenplay (Fountain and FDX)
    embed: bool = False  # embed stills in the storyboard instead of linking them
    progress: Progress | None = None  # (seconds done, seconds in all) while the animatic encodes
    cancel: threading.Event | None = None  # set: the animatic stops between ffmpeg's reports
    slates: bool = True  # burn shot numbers and scene headings into the animatic's pictures


Writer = Callable[[Film, ExportOptions], dict[str, str | bytes]]


@dataclass(frozen=True)
class ExportFormat:
    """One format as front ends list it: its name, what it is, the files it writes in
    exports/, and a program it needs."""

    name: str
    description: str
    files: tuple[str, ...]
    needs: str = ""
    write: Writer = field(default=None, repr=False, compare=False)  # type: ignore[assignment]

    def to_json(self) -> dict:
        return {"name": self.name, "description": self.description, "files": list(self.files), "needs": self.needs}


# In the order they are written: the animatic, the slow one, last.
FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("summary", "every block in phase order, readable", (SUMMARY_NAME,),
                 write=lambda film, _: {SUMMARY_NAME: summary_markdown(film.project, film.indexed_blocks, film.story_places)}),
    ExportFormat("json", "every block with its fields, state and problems, for other programs", (JSON_NAME,),
                 write=lambda film, _: {JSON_NAME: project_json(film.project, film.indexed_blocks, film.story_places)}),
    ExportFormat("fountain", "the screenplay in Fountain: acts, beats, scenes and a title page", (FOUNTAIN_NAME,),
                 write=lambda film, options: export_fountain(film, options.scene_numbers)),
    ExportFormat("fdx", "the screenplay for Final Draft: scenes, dialogue, notes and a title page", (FDX_NAME,),
                 write=lambda film, options: export_fdx(film, options.scene_numbers)),
    ExportFormat("shotlist", "one row per shot in film order, as a spreadsheet", (SHOTLIST_NAME,),
                 write=lambda film, _: export_shotlist(film)),
    ExportFormat("breakdown", "cast, locations, props and costumes per scene", (BREAKDOWN_MD, BREAKDOWN_CSV),
                 write=lambda film, _: export_breakdown(film)),
    ExportFormat("storyboard", "one HTML page of every shot's still, stale shots marked", (STORYBOARD_NAME,),
                 write=lambda film, options: export_storyboard(film, options.embed)),
    ExportFormat("storyboard-pdf", "the storyboard to print: a page per scene, stills and notes", (STORYBOARD_PDF_NAME,),
                 PDF_NEEDS, write=lambda film, _: export_storyboard_pdf(film)),
    ExportFormat("lookbook", "characters, locations, costumes and props with their approved stills, as PDF",
                 (LOOKBOOK_NAME,), PDF_NEEDS, write=lambda film, _: export_lookbook(film)),
    ExportFormat("animatic", "an MP4 cut from the approved stills, videos and audio", (ANIMATIC_NAME,), "ffmpeg",
                 write=lambda film, options: export_animatic(film, options.progress, options.cancel, options.slates)),
)}
FORMAT_NAMES = (*FORMATS, "all")
# What an export writes when no format is named: quick, and needs no ffmpeg.
DEFAULT_FORMATS = ("summary", "json")


def formats_for(names: list[str] | None) -> list[str]:
    """Resolve format names (each may hold several, comma-separated; `all` for every one) in
    the fixed order they are written; none: the default ones."""
    wanted: set[str] = set()
    for name in (part.strip().lower() for value in names or [] for part in value.split(",")):
        if name == "all":
            wanted.update(FORMATS)
        elif name in FORMATS:
            wanted.add(name)
        elif name:
            near = closest(name, FORMAT_NAMES, cutoff=0.5)
            hint = f" (did you mean `{near}`?)" if near else ""
            raise UserError(f"unknown export format `{name}`{hint}; use one of {', '.join(FORMAT_NAMES)}")
    return [name for name in FORMATS if name in wanted] or list(DEFAULT_FORMATS)


@dataclass(frozen=True)
class WrittenFile:
    """A file an export wrote: its path from the project root, and whether its bytes changed."""

    path: str
    format: str
    changed: bool

    def to_json(self) -> dict:
        return {"path": self.path, "format": self.format, "changed": self.changed}


def export_format(film: Film, name: str, options: ExportOptions = ExportOptions()) -> list[WrittenFile]:
    """Write one format to exports/."""
    return [write_export(film.project, name, file_name, data)
            for file_name, data in FORMATS[name].write(film, options).items()]


def write_export(project: Project, format_name: str, file_name: str, data: str | bytes) -> WrittenFile:
    """Write exports/FILE atomically, and only when its bytes change, so that its time stamp
    says when it last changed. Never outside the project: a symlinked exports/ is refused."""
    path = folder_inside(project.root, project.exports) / file_name
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        # Compared only with a regular file of the project's own: a FIFO or a link out is replaced.
        changed = regular_file(project.root, path) is None or read_regular(path, project.root) != payload
        if changed:
            write_atomic(path, payload)
    except OSError as error:
        raise UserError(f"exports/{file_name}: cannot write it ({error.strerror or error}): "
                        "check the folder's permissions and free space") from None
    return WrittenFile(f"exports/{file_name}", format_name, changed)
