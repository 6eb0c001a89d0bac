"""Importing a Fountain screenplay: the plan of the blocks it becomes. The project API's
`import_fountain` (daemon/api/film.py) reads the file through `read_screenplay` and writes
the plan through its guarded write.

Sections become acts (`#`) and beats (`##` and deeper), synopses become beats, scene
headings become scenes with `int_ext`, `time_of_day`, `scene_number` and an `order`, and
their text is kept as the scene's body. Every speaking part becomes a character and every
heading's place a location (reused when the project already has one of that id or title),
and each scene depends on them: `appears_in` and `set_in`. Existing blocks are never touched;
the title page goes into cinefile.toml as a `[title_page]` table when it has none, so that the
Fountain export writes it back.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from cinefile.format.block import slugify
from cinefile.format.catalog import PHASE_FOLDERS
from cinefile.format.config import CONFIG_NAME, table_text

from ..atomic import write_atomic
from ..errors import UserError
from ..index.db import Index
from ..project import Project
from .fountain import TITLE_PAGE_KEYS
from .fountain_parse import Scene, Screenplay, Section, Synopsis

# A feature screenplay is a few hundred KB; past this a file is not one (a video, a disk image).
MAX_SCREENPLAY_BYTES = 10 * 1024 * 1024
# The title page keys the export writes back, by the names Fountain gives them (`Draft date`).
_TITLE_PAGE_KEYS = {key.replace("_", " "): key for key in ("title", *TITLE_PAGE_KEYS)} | {"authors": "author"}


@dataclass
class NewBlock:
    id: str
    folder: str
    frontmatter: dict
    body: str

    @property
    def path(self) -> str:
        return f"{self.folder}/{self.id}.md"

    @property
    def type(self) -> str:
        return self.frontmatter["type"]

    def text(self) -> str:
        """Block-style frontmatter, with one `{id, type}` dependency per line as people write them."""
        fields = {key: value for key, value in self.frontmatter.items() if key != "dependencies"}
        head = yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
        for dep in self.frontmatter.get("dependencies", []):
            head += ("dependencies:\n" if "dependencies:" not in head else "") + "  - " + yaml.safe_dump(
                dep, sort_keys=False, allow_unicode=True, default_flow_style=True, width=1000).strip() + "\n"
        return f"---\n{head}---\n{self.body.rstrip(chr(10))}\n"


@dataclass
class ImportReport:
    source: str
    created: list[NewBlock] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)  # ids of characters and locations already there
    title_page: dict[str, str | list[str]] = field(default_factory=dict)  # for cinefile.toml's [title_page]
    title_page_skipped: list[str] = field(default_factory=list)  # its keys the export would not write back
    title_page_there: bool = False  # cinefile.toml has a [title_page] already: the screenplay's is not kept
    dry_run: bool = False

    def count(self, type_name: str) -> int:
        return sum(1 for block in self.created if block.type == type_name)

    def summary(self) -> str:
        counts = ", ".join(f"{self.count(t)} {t}" + ("" if self.count(t) == 1 else "s")
                           for t in ("act", "beat", "scene", "character", "location"))
        reused = f"; reused {len(self.reused)} existing: {', '.join(self.reused)}" if self.reused else ""
        return f"imported {self.source}: {counts}{reused}{self._title_page_note()}"

    def _title_page_note(self) -> str:
        if self.title_page_there:
            return f"; title page not imported: {CONFIG_NAME} has a [title_page] table already"
        if not self.title_page:
            return ""
        skipped = f" (not kept: {', '.join(self.title_page_skipped)})" if self.title_page_skipped else ""
        return f"; title page {'would be added' if self.dry_run else 'added'} to {CONFIG_NAME}{skipped}"

    def to_json(self) -> dict:
        return {"source": self.source, "dry_run": self.dry_run,
                "created": [{"id": b.id, "type": b.type, "path": b.path} for b in self.created],
                "reused": self.reused, "title_page": self.title_page, "title_page_note": self._title_page_note().lstrip("; "),
                "summary": self.summary()}


def display_name(text: str) -> str:
    """`FERRY CAR DECK` -> `Ferry Car Deck`; mixed case is kept as written."""
    if text != text.upper():
        return text
    return " ".join(word[:1].upper() + word[1:].lower() for word in text.split())


class Planner:
    """Chooses ids that are free in the project and on disk, and finds blocks to reuse."""

    def __init__(self, project: Project, index: Index, source: str) -> None:
        self.project = project
        self.source = source
        rows = index.query("SELECT key, type, title FROM blocks ORDER BY path")
        self.taken = {row["key"] for row in rows}
        self.ids = {(row["type"], row["key"]) for row in rows}
        self.titles = {(row["type"], (row["title"] or "").upper()): row["key"] for row in reversed(rows)}
        self.report = ImportReport(source)
        self.named: dict[tuple[str, str], str] = {}
        self.order = 0

    def free_id(self, wanted: str, folder: str) -> str:
        candidate, n = wanted, 1
        while candidate in self.taken or (self.project.root / folder / f"{candidate}.md").exists():
            n += 1
            candidate = f"{wanted}-{n}"
        self.taken.add(candidate)
        return candidate

    def add(self, wanted: str, folder: str, frontmatter: dict, body: str) -> str:
        block = NewBlock(self.free_id(wanted, folder), folder, frontmatter, body)
        self.report.created.append(block)
        return block.id

    def story(self, type_name: str, wanted: str, fields: dict, body: str) -> str:
        self.order += 1
        # `order` keeps the screenplay's order whatever the ids sort like; dependencies go last.
        frontmatter = {"type": type_name, **{k: v for k, v in fields.items() if k != "dependencies"}, "order": self.order}
        if "dependencies" in fields:
            frontmatter["dependencies"] = fields["dependencies"]
        return self.add(wanted, PHASE_FOLDERS["Story"], frontmatter, body)

    def named_block(self, type_name: str, name: str, body: str) -> str:
        """A character or location by name: the project's own if it has one, else a new one."""
        key = (type_name, name.upper())
        if key in self.named:
            return self.named[key]
        wanted = slugify(re.sub(r"[\s-]+", " ", name))  # `LIGHTHOUSE - KITCHEN` -> lighthouse-kitchen
        found = wanted if (type_name, wanted) in self.ids else self.titles.get(key)
        if found:
            self.report.reused.append(found)
            self.named[key] = found
        else:
            self.named[key] = self.add(wanted, PHASE_FOLDERS["Design"], {"type": type_name, "title": display_name(name)}, body)
        return self.named[key]


def plan_import(project: Project, index: Index, play: Screenplay, source: str) -> ImportReport:
    if not play.scenes:
        raise UserError(f"{source}: no scene headings found (lines such as `INT. KITCHEN - DAY`, with a blank "
                        "line before and after): nothing was imported")
    planner = Planner(project, index, source)
    plan_title_page(project, play.title_page, planner.report)
    act = beat = None
    counts = {"act": 0, "beat": 0, "scene": 0}

    def numbered(type_name: str) -> str:
        counts[type_name] += 1
        return f"{type_name}-{counts[type_name]}"

    def new_beat(title: str, body: str) -> str:
        return planner.story("beat", numbered("beat"), {"title": title, **({"parent": act} if act else {})}, body)

    for item in play.items:
        if isinstance(item, Section) and item.level == 1:
            act = planner.story("act", numbered("act"), {"title": item.title}, "\n".join(item.synopsis))
            beat = None
        elif isinstance(item, Section):
            beat = new_beat(item.title, "\n".join(item.synopsis))
        elif isinstance(item, Synopsis):
            beat = new_beat(item.text, item.text)
        else:
            for text in item.synopses:  # a synopsis under a heading starts a beat with this scene
                beat = new_beat(text, text)
            plan_scene(planner, item, beat or act, numbered("scene"))
    return planner.report


def plan_title_page(project: Project, page: dict[str, list[str]], report: ImportReport) -> None:
    """The title page's keys that the export writes back: one line as a string, several as
    a list. Nothing when cinefile.toml has a title page already: it is the user's."""
    table = {_TITLE_PAGE_KEYS[key]: lines[0] if len(lines) == 1 else lines
             for key, lines in page.items() if key in _TITLE_PAGE_KEYS}
    if not table:
        return
    if "title_page" in project.config.raw:
        report.title_page_there = True
        return
    report.title_page = table
    report.title_page_skipped = [key for key in page if key not in _TITLE_PAGE_KEYS]


def add_title_page(project: Project, table: dict[str, str | list[str]]) -> None:
    """Append a [title_page] table to cinefile.toml, leaving its text as it was above it."""
    path = project.root / CONFIG_NAME
    text = path.read_text(encoding="utf-8")
    text += ("" if text.endswith("\n") or not text else "\n") + "\n" + table_text("title_page", table)
    if tomllib.loads(text).get("title_page") != table:  # a check of our own writing: never a broken config
        raise UserError(f"{path}: the title page could not be added; add a [title_page] table by hand")
    write_atomic(path, text)


def plan_scene(planner: Planner, scene: Scene, parent: str | None, wanted: str) -> None:
    where = scene.location or scene.heading
    location = planner.named_block("location", where, f"Imported from {planner.source}.")
    cast = [planner.named_block("character", name, f"A speaking part imported from {planner.source}.")
            for name in scene.speakers]
    fields: dict = {"title": display_name(where) + (f", {scene.time_of_day.lower()}" if scene.time_of_day else "")}
    if parent:
        fields["parent"] = parent
    if scene.int_ext:
        fields["int_ext"] = scene.int_ext
    if scene.time_of_day:
        fields["time_of_day"] = scene.time_of_day.upper()
    if scene.number:
        fields["scene_number"] = scene.number
    fields["dependencies"] = [{"id": location, "type": "set_in"}, *({"id": c, "type": "appears_in"} for c in cast)]
    planner.story("scene", wanted, fields, scene.text)


def read_screenplay(path: Path) -> str:
    """The screenplay's text, or one line saying why it cannot be read as one."""
    try:
        if path.is_dir():
            raise UserError(f"{path}: is a folder: give the path of a .fountain screenplay")
        size = path.stat().st_size
        if size > MAX_SCREENPLAY_BYTES:
            raise UserError(f"{path}: {size / 2**20:.0f} MB is too big for a screenplay "
                            f"(at most {MAX_SCREENPLAY_BYTES // 2**20} MB): give the path of a .fountain file")
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file: give the path of a .fountain screenplay") from None
    except OSError as error:
        raise UserError(f"{path}: cannot read it ({error.strerror or error}): check its permissions") from None
    if b"\0" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text has NULs too
        raise UserError(f"{path}: a binary file, not a screenplay: give the path of a .fountain text file")
    try:
        return data.decode("utf-8-sig")  # a byte order mark, as some Windows editors write, is not text
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text: save the screenplay as UTF-8 and import it again") from None
