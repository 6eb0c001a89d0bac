"""The film exports: each format in its own module, all written to exports/ the same way.

Every format reads the index through `Film` and returns {file name: bytes or text}; nothing
here depends on the clock or on dict order, so the same project gives the same bytes. The
operation that runs them (`export` of the project API, daemon/api/film.py) holds the rules:
which formats, locking scene numbers first, what a format that cannot be made says. The
table of formats (formats.py) loads when first used: `from cinefile.daemon.exports import
FORMATS` works as before.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from ..atomic import write_atomic
from ..errors import UserError
from ..inside import folder_inside, read_regular, regular_file
from ..project import Project

if TYPE_CHECKING:
    from .animatic import Progress
    from .film import Film


@dataclass(frozen=True)
class ExportOptions:
    scene_numbers: bool = False  # number every scene heading in the screenplay (Fountain and FDX)
    embed: bool = False  # embed stills in the storyboard instead of linking them
    progress: Progress | None = None  # (seconds done, seconds in all) while the animatic encodes
    cancel: threading.Event | None = None  # set: the animatic stops between ffmpeg's reports
    slates: bool = True  # burn shot numbers and scene headings into the animatic's pictures


Writer = Callable[["Film", ExportOptions], dict[str, str | bytes]]


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


@dataclass(frozen=True)
class WrittenFile:
    """A file an export wrote: its path from the project root, and whether its bytes changed."""

    path: str
    format: str
    changed: bool

    def to_json(self) -> dict:
        return {"path": self.path, "format": self.format, "changed": self.changed}


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


# The format table loads every format (Pillow for the animatic's slates among them): only
# when a name of it is used, so that opening the project API does not wait for it.
_FORMAT_TABLE = frozenset({"FORMATS", "FORMAT_NAMES", "DEFAULT_FORMATS", "formats_for", "export_format"})


def __getattr__(name: str):
    if name in _FORMAT_TABLE:
        from . import formats
        return getattr(formats, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
