"""Importing a screenplay into a project that may hold its scenes already (a revised draft):
the plan that updates the project in place instead of adding every scene again.

The first import's plan (`plan_import`) is made as for an empty project, then each of its
story blocks is matched to a block the project has: acts and beats by title, scenes by locked
scene number, then heading and text (`scene_match.py`). A matched block is updated, in place,
so that its shots, stills and design links stay attached; an unmatched one is created. Story
blocks a screenplay made earlier (they carry an `imported` record) that match nothing are
listed as gone; the project API deletes them only when asked (`prune`).

A scene's text is the screenplay's, so an import replaces it, unless a person wrote it: the
body must still hash to the `imported.body` the last import recorded (or be empty, or the new
block template). Any other body is reported as a conflict and kept, unless `overwrite`.
Acts and beats keep their text (the screenplay holds little more than their titles); only
their place follows the screenplay. Everything here is computed, nothing written.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Callable

from cinefile.format.block import Block
from cinefile.format.edit import EditError, set_body, set_field, with_dependency
from cinefile.format.hashing import ASSET_EMBED_LINE, normalize_body
from cinefile.format.own_text import body_hash, is_template
from cinefile.format.parse import parse_text

from ..errors import UserError
from ..index.db import Index
from ..project import Project
from .film import Film, text_field
from .fountain import scene_body
from .fountain_import import ImportReport, NewBlock, display_name, plan_import
from .fountain_parse import Scene, Screenplay
from .scene_match import SceneKey, match_scenes
from .summary import ExportedBlock

RECORD = "imported"  # frontmatter: {source, body}: the screenplay a block came from, and the hash of the text it wrote
OVERWRITE_HINT = "--overwrite replaces it (the old text stays in history)"


@dataclass
class Updated:
    """A block the screenplay has already, and what of it changes (frontmatter keys, `text`)."""

    id: str
    type: str
    path: str
    what: list[str]
    old_text: str = field(repr=False, default="")
    new_text: str = field(repr=False, default="")

    def to_json(self) -> dict:
        return {"id": self.id, "type": self.type, "path": self.path, "what": self.what}


@dataclass
class Conflict:
    """A matched scene whose text the screenplay changed but a person wrote: kept."""

    id: str
    path: str
    reason: str

    def to_json(self) -> dict:
        return {"id": self.id, "path": self.path, "reason": self.reason}


@dataclass
class Gone:
    """A story block an earlier import made that the screenplay no longer has; the blocks that
    name it (as parent or dependency), which a prune leaves pointing at nothing; and why a
    prune keeps it, when its text is a person's."""

    id: str
    type: str
    path: str
    named_by: list[str]
    kept_reason: str | None = None

    def to_json(self) -> dict:
        return {"id": self.id, "type": self.type, "path": self.path, "named_by": self.named_by,
                "kept_reason": self.kept_reason}


@dataclass
class ReimportReport(ImportReport):
    updated: list[Updated] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # ids of matched blocks the screenplay leaves as they are
    conflicts: list[Conflict] = field(default_factory=list)
    gone: list[Gone] = field(default_factory=list)
    prune: bool = False  # the gone blocks whose text is the screenplay's are (or would be) deleted

    @property
    def removed(self) -> list[Gone]:
        return [gone for gone in self.gone if self.prune and not gone.kept_reason]

    def summary(self) -> str:
        parts = [f"{len(self.updated)} updated", f"{len(self.unchanged)} unchanged"] if self.updated or self.unchanged else []
        if self.conflicts:
            parts.append(f"{len(self.conflicts)} kept as edited in cinefile ({OVERWRITE_HINT})")
        if self.removed:
            parts.append(f"{len(self.removed)} {'would be removed' if self.dry_run else 'removed'}")
        if len(self.gone) > len(self.removed):
            parts.append(f"{len(self.gone) - len(self.removed)} no longer in the screenplay, kept")
        return super().summary() + "".join(f"; {part}" for part in parts)

    def to_json(self) -> dict:
        return super().to_json() | {
            "updated": [u.to_json() for u in self.updated], "unchanged": self.unchanged,
            "conflicts": [c.to_json() for c in self.conflicts], "gone": [g.to_json() for g in self.gone],
            "prune": self.prune, "removed": [gone.path for gone in self.removed], "summary": self.summary()}


def plan_reimport(project: Project, index: Index, play: Screenplay, source: str, text_of: Callable[[str], str],
                  *, overwrite: bool = False) -> ReimportReport:
    """The plan of importing `play` (read from the file named `source`) into the project as
    it is indexed, with each block's text from `text_of(path)`."""
    first = plan_import(project, index, play, source)
    report = ReimportReport(**{f.name: getattr(first, f.name) for f in fields(ImportReport)})
    film = Film.load(project, index)
    new_story = [block for block in first.created if block.type in ("act", "beat", "scene")]
    for block in new_story:
        block.frontmatter[RECORD] = {"source": source, "body": body_hash(block.body)}
    scenes = dict(zip((block.id for block in new_story if block.type == "scene"), play.scenes))
    found = _match(film, new_story, scenes)
    updates = _Updates(film, source, text_of, overwrite)
    for block in new_story:
        parent = block.frontmatter.get("parent")
        if parent in found:
            block.frontmatter["parent"] = found[parent].id
        if block.id in found:
            updates.update(found[block.id], block, scenes.get(block.id))
    report.updated, report.unchanged, report.conflicts = updates.updated, updates.unchanged, updates.conflicts
    created = {block.id for block in new_story if block.id not in found}
    # Characters and locations only the scenes kept as they were would have named are not made.
    named = {dep["id"] for block in new_story if block.id in created for dep in block.frontmatter.get("dependencies", [])}
    report.created = [block for block in first.created if block.id in created | named | updates.named]
    matched = {old.path for old in found.values()}
    report.gone = [Gone(block.id, block.type, block.path, _named_by(film, block.id),
                        None if overwrite else kept_reason(parse_text(block.path, text_of(block.path))))
                   for block in film.story if isinstance(block.frontmatter.get(RECORD), dict) and block.path not in matched]
    return report


def _match(film: Film, new_story: list[NewBlock], scenes: dict[str, Scene]) -> dict[str, ExportedBlock]:
    """{new id: the block it is} for each new story block the project has already: acts and
    beats by title (the first one not taken, in story order), scenes by number, heading and text."""
    found: dict[str, ExportedBlock] = {}
    taken: set[str] = set()
    holders = [block for block in film.story if block.type in ("act", "beat")]
    for block in new_story:
        if block.type in ("act", "beat"):
            title = _title_key(block.frontmatter["title"])
            same = next((old for old in holders if old.type == block.type and _title_key(old.title) == title
                         and old.path not in taken), None)
            if same is not None:
                found[block.id] = same
                taken.add(same.path)
    ids = list(scenes)
    keys = [SceneKey.of(s.number, s.int_ext, _place(s), s.time_of_day, s.text) for s in scenes.values()]
    for i, j in match_scenes(keys, [_scene_key(film, old) for old in film.scenes]).items():
        found[ids[i]] = film.scenes[j]
    return found


def _title_key(title: str) -> str:
    return " ".join(title.split()).casefold()


def _place(scene: Scene) -> str:
    return scene.location or scene.heading  # as the first import names the scene's location


def _scene_key(film: Film, scene: ExportedBlock) -> SceneKey:
    return SceneKey.of(text_field(scene, "scene_number"), *film.heading_parts(scene), scene_body(scene))


def _named_by(film: Film, block_id: str) -> list[str]:
    return [block.id for block in film.blocks
            if block.parent == block_id or any(dep["id"] == block_id for dep in block.dependencies)]


def kept_reason(block: Block) -> str | None:
    """Why a block's text is a person's, which an import does not replace or delete unasked;
    None when it is still the screenplay's (what the last import wrote), empty, or the template."""
    record = block.frontmatter.get(RECORD)
    recorded = record.get("body") if isinstance(record, dict) else None
    if is_template(block.type, block.body) or (isinstance(recorded, str) and recorded == body_hash(block.body)):
        return None
    return "its text was edited in cinefile since it was imported" if recorded else "its text was written in cinefile, not imported"


def _dependency_id(dep) -> str | None:
    return dep.get("id") if isinstance(dep, dict) else dep if isinstance(dep, str) else None


class _Updates:
    """The changes to the matched blocks, in screenplay order."""

    def __init__(self, film: Film, source: str, text_of: Callable[[str], str], overwrite: bool) -> None:
        self.film, self.source, self.text_of, self.overwrite = film, source, text_of, overwrite
        self.updated: list[Updated] = []
        self.unchanged: list[str] = []
        self.conflicts: list[Conflict] = []
        self.named: set[str] = set()  # characters and locations the updated scenes name now

    def update(self, old: ExportedBlock, new: NewBlock, scene: Scene | None) -> None:
        text = self.text_of(old.path)
        edit = _Edit(old.path, text)
        edit.set("order", new.frontmatter["order"])
        if new.frontmatter.get("parent"):
            edit.set("parent", new.frontmatter["parent"])
        kept = scene is not None and not self._scene(old, new, scene, edit)
        if edit.what:
            self.updated.append(Updated(old.id, old.type, old.path, edit.what, text, edit.text))
        elif not kept:
            self.unchanged.append(old.id)

    def _scene(self, old: ExportedBlock, new: NewBlock, scene: Scene, edit: _Edit) -> bool:
        """Edit a matched scene to the screenplay's; False when its text is a person's and
        stays, with its heading and links (only its place follows the screenplay)."""
        current = parse_text(old.path, edit.text)
        same_text = normalize_body(scene_body(current)) == normalize_body(new.body)
        reason = None if same_text or self.overwrite else kept_reason(current)
        if reason:
            self.conflicts.append(Conflict(old.id, old.path, f"{reason}; {OVERWRITE_HINT}"))
            return False
        _, where, when = self.film.heading_parts(old)
        moved = _scene_key(self.film, old).heading != SceneKey.of(None, scene.int_ext, _place(scene), scene.time_of_day, "").heading
        if moved:
            for key in ("int_ext", "time_of_day"):
                edit.set(key, new.frontmatter.get(key))
            if "location" in current.frontmatter:
                edit.set("location", _place(scene))
            if current.title == display_name(where) + (f", {when.lower()}" if when else ""):  # not renamed by hand
                edit.set("title", new.frontmatter["title"])
        for key in ("heading", "lead_in"):  # the heading as the writer typed it, and what stands above it
            edit.set(key, new.frontmatter.get(key))
        if new.frontmatter.get("scene_number"):
            edit.set("scene_number", new.frontmatter["scene_number"])
        if moved or not same_text:  # else the links are as the person left them: no one new speaks
            self.named |= edit.dependencies(current.frontmatter.get("dependencies"), new.frontmatter["dependencies"], moved)
        if not same_text:
            media = [m.group(0).strip() for m in ASSET_EMBED_LINE.finditer(current.body)]  # linked stills stay
            body = new.body.rstrip("\n") + "\n" + ("\n" + "\n".join(media) + "\n" if media else "")
            edit.set_body(body)
            earlier = current.frontmatter.get(RECORD)
            edit.set(RECORD, (earlier if isinstance(earlier, dict) else {}) | {"source": self.source, "body": body_hash(body)})
        return True


class _Edit:
    """One block file's text, edited field by field; `what` names what changed."""

    def __init__(self, path: str, text: str) -> None:
        self.path, self.text = path, text
        self.what: list[str] = []
        self.frontmatter = parse_text(path, text).frontmatter

    def set(self, key: str, value) -> None:
        if self.frontmatter.get(key) == value:
            return
        self.text = self._edited(lambda: set_field(self.text, key, value))
        if key != RECORD:  # it goes with the text
            self.what.append(key)

    def set_body(self, body: str) -> None:
        self.text = self._edited(lambda: set_body(self.text, body))
        self.what.append("text")

    def dependencies(self, current, planned: list[dict], moved: bool) -> set[str]:
        """The scene's dependencies with every planned character in them and, when the
        heading `moved`, the planned location as `set_in`; the person's own entries stay.
        Returns the ids it names."""
        if current is not None and not isinstance(current, list):
            return set()  # not a list: the person's to fix, and `cinefile check` says so
        current = list(current or [])
        location = next(dep["id"] for dep in planned if dep["type"] == "set_in")
        have = {_dependency_id(dep) for dep in current}
        if not moved:
            planned = [dep for dep in planned if dep["type"] != "set_in"]
        replaced = current if location in have or not moved else [
            {"id": location, "type": "set_in"} if isinstance(dep, dict) and dep.get("type") == "set_in" else dep
            for dep in current]
        added = [dep for dep in planned if dep["id"] not in have and (dep["type"] != "set_in" or replaced == current)]
        if replaced != current:  # a whole new list: the one way to swap an entry
            self.text = self._edited(lambda: set_field(self.text, "dependencies", replaced + added))
        else:
            for dep in added:
                self.text = self._edited(lambda dep=dep: with_dependency(self.text, dep["id"], dep["type"]))
        if replaced != current or added:
            self.what.append("dependencies")
        return {dep["id"] for dep in planned}

    def _edited(self, edit: Callable[[], str]) -> str:
        try:
            return edit()
        except EditError as error:
            raise UserError(f"{self.path}: {error}") from None
