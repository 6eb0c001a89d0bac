"""The table of export formats: each one's name, files and writer, and resolving the names a
person asks for. Importing it loads every format (the animatic's Pillow among them), so the
package's `__init__` imports it only when one of these names is used."""

from __future__ import annotations

from cinefile.format.parse import closest

from ..errors import UserError
from . import ExportFormat, ExportOptions, WrittenFile, write_export
from .animatic import ANIMATIC_NAME, export_animatic
from .breakdown import BREAKDOWN_CSV, BREAKDOWN_MD, export_breakdown
from .fdx import FDX_NAME, export_fdx
from .film import Film
from .fountain import FOUNTAIN_NAME, export_fountain
from .lookbook import LOOKBOOK_NAME, export_lookbook
from .pdf import NEEDS as PDF_NEEDS
from .shotlist import SHOTLIST_NAME, export_shotlist
from .storyboard import STORYBOARD_NAME, STORYBOARD_PDF_NAME, export_storyboard, export_storyboard_pdf
from .summary import JSON_NAME, SUMMARY_NAME, project_json, summary_markdown

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


def export_format(film: Film, name: str, options: ExportOptions = ExportOptions()) -> list[WrittenFile]:
    """Write one format to exports/."""
    return [write_export(film.project, name, file_name, data)
            for file_name, data in FORMATS[name].write(film, options).items()]
