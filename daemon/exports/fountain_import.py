"""Importing a Fountain screenplay: the plan of the blocks it becomes. The project API's
`import_fountain` (daemon/api/film.py) reads the file through `read_screenplay` and writes
the plan through its guarded write.

Sections become acts (`#`) and beats (`##` and deeper, with their `section` depth, under the
section that holds them), synopses become beats, scene headings become scenes with `int_ext`,
`time_of_day`, `scene_number` and an `order`, and their text is kept as the scene's body.
Every speaking part becomes a character and every heading's place a location (reused when the
project already has one of that id or title), and each scene depends on them: `appears_in`
and `set_in`. What the Fountain export could not give back from these fields is kept too: a
heading as written (`heading`), the text above a heading or section that is in no scene
(`lead_in`), where a synopsis stood (`placement`). Existing blocks are never touched; the
title page goes into cinefile.toml as a `[title_page]` table when it has none, so that the
Fountain export writes it back.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from cinefile.format.block import MAX_NAME_ID, slugify
from cinefile.format.catalog import PHASE_FOLDERS, allowed_parents
from cinefile.format.config import CONFIG_NAME, table_text

from ..atomic import write_atomic
from ..errors import UserError
from ..inside import folder_inside, read_regular_text
from ..index.db import Index
from ..project import Project
from .film import INT_EXT
from .fountain import IN_PLACE, TITLE_PAGE_KEYS, UNDER_HEADING
from .fountain_parse import CONTROL, Scene, Screenplay, Section, Synopsis, control_character, heading_line

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
        head = yaml.dump(fields, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
        for dep in self.frontmatter.get("dependencies", []):
            head += ("dependencies:\n" if "dependencies:" not in head else "") + "  - " + yaml.safe_dump(
                dep, sort_keys=False, allow_unicode=True, default_flow_style=True, width=1000).strip() + "\n"
        return f"---\n{head}---\n{self.body.rstrip(chr(10))}\n"


class _BlockDumper(yaml.SafeDumper):
    """Text of several lines (a `lead_in`) as a `|` block, the way people write it by hand."""


_BlockDumper.add_representer(str, lambda dumper, value: dumper.represent_scalar(
    "tag:yaml.org,2002:str", value, style="|" if "\n" in value else None))


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


_WORD_START = re.compile(r"(^|[\s.(\[/\"-])(\w)")


def display_name(text: str) -> str:
    """`FERRY CAR DECK` -> `Ferry Car Deck`, `A.P. NEWSROOM (PARIS)` -> `A.P. Newsroom (Paris)`:
    a capital after a space, a dot, a bracket, a slash or a hyphen. Mixed case is kept as written."""
    if text not in (text.upper(), text.lower()):
        return text
    return _WORD_START.sub(lambda match: match.group(1) + match.group(2).upper(), text.lower())


class Planner:
    """Chooses ids that are free in the project and on disk, and finds blocks to reuse."""

    def __init__(self, project: Project, index: Index, source: str) -> None:
        self.project = project
        self.source = source
        rows = index.query("SELECT key, type, title FROM blocks ORDER BY path")
        self.taken = {row["key"] for row in rows}
        self.ids = {(row["type"], row["key"]) for row in rows}
        self.titles = {(row["type"], (row["title"] or "").upper()): row["key"] for row in reversed(rows)}
        self.title_of = {row["key"]: row["title"] or "" for row in rows}
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
        wanted = slugify(re.sub(r"[\s-]+", " ", name), MAX_NAME_ID)  # `LIGHTHOUSE - KITCHEN` -> lighthouse-kitchen
        found = wanted if (type_name, wanted) in self.ids else self.titles.get(key)
        if found:
            self.report.reused.append(found)
            self.named[key] = found
        else:
            title = display_name(name)
            self.named[key] = self.add(wanted, PHASE_FOLDERS["Design"], {"type": type_name, "title": title}, body)
            self.title_of[self.named[key]] = title
        return self.named[key]


def plan_import(project: Project, index: Index, play: Screenplay, source: str) -> ImportReport:
    if not play.scenes:
        raise UserError(f"{source}: no scene headings found (lines such as `INT. KITCHEN - DAY`, with a blank "
                        "line before and after): nothing was imported")
    planner = Planner(project, index, source)
    plan_title_page(project, play.title_page, planner.report)
    sections: list[tuple[int, str, str]] = []  # the sections open here, outermost first: (depth, id, type)
    holder = None  # the act or beat the next scene belongs to
    counts = {"act": 0, "beat": 0, "scene": 0}

    def numbered(type_name: str) -> str:
        counts[type_name] += 1
        return f"{type_name}-{counts[type_name]}"

    def parent(type_name: str) -> dict:
        """The innermost open section that the catalogue lets a block of this type belong to."""
        allowed = allowed_parents(type_name)
        found = next((key for _, key, kind in reversed(sections) if kind in allowed), None)
        return {"parent": found} if found else {}

    def new_beat(title: str, body: str, placement: str | None, before: list[str]) -> str:
        fields = {"title": title, **parent("beat"), **({"placement": placement} if placement else {}), **lead_in(before)}
        return planner.story("beat", numbered("beat"), fields, body)

    for item in play.items:
        if isinstance(item, Section):
            while sections and sections[-1][0] >= item.level:
                sections.pop()
            kind = "act" if item.level == 1 else "beat"
            depth = {"section": item.level} if kind == "beat" else {}
            holder = planner.story(kind, numbered(kind), {"title": item.title, **parent(kind), **depth, **lead_in(item.before)},
                                   "\n".join(item.synopsis))
            sections.append((item.level, holder, kind))
        elif isinstance(item, Synopsis):
            holder = new_beat(item.text, item.text, None if item.attached else IN_PLACE, item.before)
        else:
            for text in item.synopses:  # a synopsis under a heading starts a beat with this scene
                holder = new_beat(text, text, UNDER_HEADING, [])
            plan_scene(planner, item, holder, numbered("scene"))
    return planner.report


def lead_in(lines: list[str]) -> dict:
    """The `lead_in` field of a block: the text above it in no scene, if any."""
    return {"lead_in": "\n".join(lines)} if lines else {}


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
    path = folder_inside(project.root, project.root / CONFIG_NAME)
    text = read_regular_text(path, project.root)
    text += ("" if text.endswith("\n") or not text else "\n") + "\n" + table_text("title_page", table)
    if tomllib.loads(text).get("title_page") != table:  # a check of our own writing: never a broken config
        raise UserError(f"{path}: the title page could not be added; add a [title_page] table by hand")
    write_atomic(path, text)
    project.__dict__.pop("config", None)  # read again when next asked: an export in this session shows the title page


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
    if " ".join(planner.title_of.get(location, "").split()).upper() != where.upper():
        fields["location"] = display_name(where)  # a location reused by id, under another title
    made = heading_line(INT_EXT.get(scene.int_ext, scene.int_ext), where.upper(), scene.time_of_day.upper())
    if scene.heading_text != made:
        fields["heading"] = scene.heading_text  # as written: `INT HALL -- DAY`, `int. hall - day`
    fields |= lead_in(scene.before)
    fields["dependencies"] = [{"id": location, "type": "set_in"}, *({"id": c, "type": "appears_in"} for c in cast)]
    planner.story("scene", wanted, fields, scene.text)


def screenplay_bytes(path: Path, wanted: str = "a .fountain screenplay") -> bytes:
    """A screenplay file's bytes, or one line saying why it cannot be read, naming what to
    give instead (`wanted`)."""
    try:
        if path.is_dir():
            raise UserError(f"{path}: is a folder: give the path of {wanted}")
        size = path.stat().st_size
        if size > MAX_SCREENPLAY_BYTES:
            raise UserError(f"{path}: {size / 2**20:.0f} MB is too big for a screenplay "
                            f"(at most {MAX_SCREENPLAY_BYTES // 2**20} MB): give the path of {wanted}")
        return path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: no such file: give the path of {wanted}") from None
    except OSError as error:
        raise UserError(f"{path}: cannot read it ({error.strerror or error}): check its permissions") from None


def read_screenplay(path: Path) -> str:
    """The screenplay's text, or one line saying why it cannot be read as one."""
    data = screenplay_bytes(path)
    binary = UserError(f"{path}: a binary file, not a screenplay: give the path of a .fountain text file")
    try:
        text = data.decode("utf-8-sig")  # a byte order mark, as some Windows editors write, is not text
    except UnicodeDecodeError:
        if b"\0" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text has NULs too
            raise binary from None
        raise UserError(f"{path}: not UTF-8 text: save the screenplay as UTF-8 and import it again") from None
    found = control_character(text)
    if found and len(CONTROL.findall(text)) > max(3, len(text) // 100):  # not stray bytes: a file that is no text
        raise binary
    if found:
        line, column, character = found
        raise UserError(f"{path}:{line}:{column}: control character U+{ord(character):04X} in the screenplay "
                        "(a stray byte from a copy or a converter): delete it and import again")
    return text
