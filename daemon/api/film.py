"""The film out and in: every export format as one operation, locking scene numbers, and a
screenplay (Fountain, or Final Draft's .fdx) imported as blocks.

    result = api.export(["fountain", "storyboard"], lock_scene_numbers=True)
    result.files          # every file written, and whether its bytes changed
    result.skipped        # a format that could not be made, and why (the animatic without ffmpeg)
    report = api.import_fountain("script.fountain", dry_run=True)   # the plan, nothing written

The formats themselves live in daemon/exports/; the rules of running them live here.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from ..errors import UserError
from .blocks import Blocks
from .core import FileChange

if TYPE_CHECKING:
    from ..exports import ExportFormat, WrittenFile
    from ..exports.fountain_parse import Screenplay
    from ..exports.reimport import ReimportReport
# The export formats (the animatic's Pillow among them) load when an export or an import
# runs, not with the project API: every command would wait for them (tests/test_command_start.py).

# (step, done, total): "sync" (files), "lock" (0 then 1), then each format by name, in its own
# unit: seconds of film for the animatic, 0 then 1 for the others.
ExportProgress = Callable[[str, float, float], None]
# Where file changes go: `apply` by default; the language server sends them to the editor.
ChangeWriter = Callable[[list[FileChange]], object]


def screenplay_at(source: Path) -> Screenplay:
    """The screenplay in a file: a Final Draft document when its name ends in .fdx, else Fountain."""
    from ..exports.fdx_import import FDX_SUFFIX, read_fdx_screenplay
    from ..exports.fountain_import import read_screenplay
    from ..exports.fountain_parse import parse_fountain

    if source.suffix.lower() == FDX_SUFFIX:
        return read_fdx_screenplay(source)
    return parse_fountain(read_screenplay(source))


@dataclass(frozen=True)
class SkippedFormat:
    """A format that could not be made, and why, in one line that says what to do."""

    format: str
    reason: str
    failed: bool = True  # False: there was nothing to make yet (an animatic with no shots)

    def to_json(self) -> dict:
        return {"format": self.format, "reason": self.reason}


@dataclass
class ExportResult:
    formats: list[str]  # the formats asked for, in the order they are written
    files: list[WrittenFile] = field(default_factory=list)
    skipped: list[SkippedFormat] = field(default_factory=list)
    locked: list[str] = field(default_factory=list)  # scenes whose number was written into `scene_number`
    cancelled: bool = False  # the formats after the cancel were not written

    @property
    def changed(self) -> list[WrittenFile]:
        return [f for f in self.files if f.changed]

    def to_json(self) -> dict:
        return {"formats": self.formats, "written": [f.path for f in self.files],
                "changed": [f.path for f in self.changed], "files": [f.to_json() for f in self.files],
                "skipped": [s.to_json() for s in self.skipped], "locked": self.locked, "cancelled": self.cancelled}


class FilmIO(Blocks):  # Blocks: an import deletes as `delete_block` does
    def export_formats(self) -> list[ExportFormat]:
        """Every format, in the order an export writes them (`all` means every one)."""
        from ..exports import FORMATS

        return list(FORMATS.values())

    def render(self, name: str) -> dict[str, str | bytes]:
        """One format's files as an export would write them ({file name: text or bytes}),
        written nowhere: for a front end that shows a format instead of saving it."""
        from ..exports import FORMATS, ExportOptions, formats_for
        from ..exports.film import Film

        names = formats_for([name])
        if len(names) != 1:
            raise UserError(f"{name}: give one format, not several")
        return FORMATS[names[0]].write(Film.load(self.project, self.index), ExportOptions())

    def scene_number_changes(self, text_of: Callable[[str], str] | None = None) -> list[FileChange]:
        """Each scene with no `scene_number` gets its current number in it, so that scenes
        added later never renumber the others. Computed from `text_of(path)` (an editor's
        buffer), else from the file; not written."""
        from ..exports.film import Film
        from ..exports.numbering import numbers_to_lock, with_scene_number

        text_of = text_of or (lambda path: self.read_path(path).text)
        changes = []
        for path, number in numbers_to_lock(Film.load(self.project, self.index)).items():
            text = text_of(path)
            changes.append(FileChange(path, text, with_scene_number(path, text, number)))
        return changes

    def export(self, formats: Iterable[str] | None = None, *, scene_numbers: bool = False,
               lock_scene_numbers: bool = False, embed_stills: bool = False, progress: ExportProgress | None = None,
               cancel: threading.Event | None = None, text_of: Callable[[str], str] | None = None,
               write: ChangeWriter | None = None, slates: bool = True) -> ExportResult:
        """Write `formats` to exports/ (names, comma-separated ones, or `all`; none: summary
        and json), after a sync, so they show the files as they are. Each file is rewritten
        only when its bytes change. A format that cannot be made (the animatic without
        ffmpeg, or with no shots) is skipped with its reason and the others are still
        written. `lock_scene_numbers` first writes every scene's number into it, through
        `write` (the guarded write by default), from `text_of`'s texts (the files by
        default); the screenplay then shows the numbers. A set `cancel` stops between
        formats, and the animatic while it encodes. `slates`: shot numbers and scene headings
        burned into the animatic's pictures."""
        from ..exports import ExportOptions, export_format, formats_for
        from ..exports.animatic import EncodingCancelled, NoShots
        from ..exports.film import Film

        names = formats_for([formats] if isinstance(formats, str) else list(formats or []))
        report = progress or (lambda step, done, total: None)
        self.sync(progress=lambda done, total: report("sync", done, total))
        result = ExportResult(names)
        if lock_scene_numbers:
            report("lock", 0, 1)
            changes = self.scene_number_changes(text_of)
            if changes:
                (write or self.apply)(changes)
            result.locked = [change.path for change in changes]
            report("lock", 1, 1)
        film = Film.load(self.project, self.index)
        options = ExportOptions(scene_numbers or lock_scene_numbers, embed_stills,
                                lambda done, total: report("animatic", done, total), cancel, slates=slates)
        for name in names:
            if cancel is not None and cancel.is_set():
                result.cancelled = True
                break
            report(name, 0, 1)
            try:
                result.files += export_format(film, name, options)
            except EncodingCancelled:
                result.cancelled = True
                break
            except UserError as error:
                result.skipped.append(SkippedFormat(name, str(error), failed=not isinstance(error, NoShots)))
                continue
            report(name, 1, 1)
        return result

    def import_fountain(self, path: str | Path, *, dry_run: bool = False, prune: bool = False,
                        overwrite: bool = False) -> ReimportReport:
        """A screenplay, Fountain or Final Draft (.fdx) (a path, relative to the project folder
        unless absolute), into the project: acts, beats, scenes, characters and locations.
        Blocks the project has already are updated in place (scenes matched by locked number,
        then heading and text; acts and beats by title), new ones created, and story blocks an
        earlier import made that the screenplay no longer has are listed as gone, deleted
        only with `prune`. A block's text is replaced or deleted only when it is still what
        the last import wrote (else a conflict, kept), unless `overwrite`. One guarded write:
        refused, with nothing written, when a file changed since it was read; old versions
        stay in history. The title page goes into cinefile.toml when it has none. `dry_run`:
        the plan, with nothing written."""
        from ..exports.fountain_import import add_title_page
        from ..exports.reimport import plan_reimport

        source = Path(path).expanduser()
        source = source if source.is_absolute() else self.root / source
        play = screenplay_at(source)
        self.sync()  # the plan is made against the files as they are
        report = plan_reimport(self.project, self.index, play, source.name,
                               lambda block_path: self.read_path(block_path).text, overwrite=overwrite)
        report.dry_run, report.prune = dry_run, prune
        if not dry_run:
            changes = [FileChange(block.path, None, block.text(), how="import") for block in report.created]
            changes += [FileChange(u.path, u.old_text, u.new_text, how="import") for u in report.updated]
            changes += [self.delete_block(gone.path) for gone in report.removed]
            self.apply(changes)
            if report.title_page:
                add_title_page(self.project, report.title_page)
        return report
