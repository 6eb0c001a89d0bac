"""The film as the exports see it: story blocks in screenplay order, scene numbers, the shots
of each scene, what each block depends on, and the asset files it points at.

Everything is read from the index (one sync away from the files), and every list has a fixed
order, so that the same project always gives the same export bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from cinefile.format.catalog import ASSET_ROLES
from cinefile.format.hashing import strip_asset_embeds

from ..index.db import Index
from ..inside import regular_file
from ..project import Project
from .order import natural_key, sibling_key
from .summary import ExportedBlock, exported_blocks

STORY_TYPES = ("act", "beat", "scene")
SHOOTING_CHILDREN = ("shot_breakdown", "cinematography", "shot")
INT_EXT = {"INT": "INT.", "EXT": "EXT.", "INT/EXT": "INT./EXT.", "EXT/INT": "EXT./INT.", "I/E": "I/E.", "EST": "EST."}
DEFAULT_SHOT_SECONDS = 3.0
_HEX = frozenset("0123456789abcdef")


def text_field(block: ExportedBlock, key: str) -> str:
    value = block.frontmatter.get(key)
    if value is None or isinstance(value, (dict, list, bool)):
        return ""
    return str(value).strip()


def seconds(block: ExportedBlock) -> float | None:
    """A shot's `duration` in seconds: a number, or text such as `4s` / `2.5 s`."""
    value = block.frontmatter.get("duration")
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if value > 0 else None
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:s|sec|secs|seconds?)?\s*", str(value or ""))
    return float(match.group(1)) if match and float(match.group(1)) > 0 else None


def letters(n: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA: the suffixes of inserted scenes and of shots."""
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(ord("A") + rem) + out
    return out


def one_line(text: str) -> str:
    return " ".join(text.split())


def body_text(block: ExportedBlock) -> str:
    """The body without a first heading that only repeats the title, and without the lines
    that embed generated media (film formats show those media their own way)."""
    lines = strip_asset_embeds(block.body).strip("\n").split("\n")
    if lines and re.match(r"^#{1,6}\s", lines[0]):
        lines = lines[1:]
    return "\n".join(lines).strip("\n")


@dataclass(frozen=True)
class Asset:
    sha256: str
    role: str
    approved: bool
    path: Path | None  # the file in assets/, None when it is missing

    @property
    def relative(self) -> str:
        return f"assets/{self.path.name}" if self.path else ""


class Film:
    def __init__(self, project: Project, blocks: list[ExportedBlock]) -> None:
        self.project = project
        self.indexed_blocks = blocks  # as the index lists them, by path
        self.blocks = sorted(blocks, key=lambda b: natural_key(b.path))
        self.by_id: dict[str, ExportedBlock] = {}
        for block in self.blocks:
            self.by_id.setdefault(block.id, block)

    @classmethod
    def load(cls, project: Project, index: Index) -> "Film":
        return cls(project, exported_blocks(index))

    @property
    def name(self) -> str:
        return self.project.config.name

    # Story order

    @cached_property
    def story(self) -> list[ExportedBlock]:
        """Acts, beats and scenes in screenplay order: each act, then what it holds."""
        story = [b for b in self.blocks if b.type in STORY_TYPES]
        holders = {b.id for b in story if b.type in ("act", "beat")}
        children: dict[str, list[ExportedBlock]] = {}
        roots = []
        for block in story:
            if block.parent in holders and block.parent != block.id:
                children.setdefault(block.parent, []).append(block)
            else:
                roots.append(block)
        result: list[ExportedBlock] = []
        seen: set[str] = set()

        def visit(block: ExportedBlock) -> None:
            if block.path in seen:
                return
            seen.add(block.path)
            result.append(block)
            for child in sorted(children.get(block.id, []), key=sibling_key):
                visit(child)

        for root in sorted(roots, key=sibling_key):
            visit(root)
        for block in story:  # parent cycles: still exported, at the end
            visit(block)
        return result

    @cached_property
    def scenes(self) -> list[ExportedBlock]:
        return [b for b in self.story if b.type == "scene"]

    @cached_property
    def scene_numbers(self) -> dict[str, str]:
        """Scene path -> number. Scenes with a `scene_number` keep it (a locked numbering);
        a scene added after the lock takes the number before it plus a letter: 4, 4A, 4B, 5."""
        locked = {s.path: text_field(s, "scene_number") for s in self.scenes if text_field(s, "scene_number")}
        if not locked:
            return {scene.path: str(n) for n, scene in enumerate(self.scenes, start=1)}
        numbers: dict[str, str] = {}
        first_locked = next(locked[s.path] for s in self.scenes if s.path in locked)
        base, inserted = None, 0
        for scene in self.scenes:
            if scene.path in locked:
                base, inserted = locked[scene.path], 0
                numbers[scene.path] = base
            elif base is None:  # before the first locked scene: A1, B1, ...
                inserted += 1
                numbers[scene.path] = letters(inserted) + first_locked
            else:
                inserted += 1
                numbers[scene.path] = base + letters(inserted)
        return numbers

    @property
    def numbering_locked(self) -> bool:
        return any(text_field(s, "scene_number") for s in self.scenes)

    # Shots

    def scene_of(self, block: ExportedBlock) -> ExportedBlock | None:
        """The scene a shooting block belongs to, through its parents."""
        seen = set()
        current = block
        while current is not None and current.id not in seen:
            if current.type == "scene":
                return current
            seen.add(current.id)
            current = self.by_id.get(current.parent) if current.parent else None
        return None

    @cached_property
    def _shooting_by_scene(self) -> dict[str, list[ExportedBlock]]:
        grouped: dict[str, list[ExportedBlock]] = {}
        for block in self.blocks:
            if block.type in SHOOTING_CHILDREN:
                scene = self.scene_of(block)
                grouped.setdefault(scene.path if scene else "", []).append(block)
        for blocks in grouped.values():
            blocks.sort(key=self._shot_key)
        return grouped

    def _shot_key(self, block: ExportedBlock) -> tuple:
        """Shots under a breakdown follow the breakdown's own order, then their own."""
        parent = self.by_id.get(block.parent) if block.parent else None
        parent_key = sibling_key(parent) if parent is not None and parent.type == "shot_breakdown" else (0, 0, ())
        return (parent_key, sibling_key(block))

    def shooting_blocks(self, scene: ExportedBlock | None) -> list[ExportedBlock]:
        """Breakdowns, camera notes and shots of a scene (None: of no scene)."""
        return self._shooting_by_scene.get(scene.path if scene else "", [])

    def shots(self, scene: ExportedBlock | None) -> list[ExportedBlock]:
        return [b for b in self.shooting_blocks(scene) if b.type == "shot"]

    @cached_property
    def shot_numbers(self) -> dict[str, str]:
        """Shot path -> number: its `shot_number`, or the scene number and a letter (1A, 1B)."""
        numbers = {}
        for scene in [*self.scenes, None]:
            prefix = self.scene_numbers[scene.path] if scene else "X"
            for n, shot in enumerate(self.shots(scene), start=1):
                numbers[shot.path] = text_field(shot, "shot_number") or prefix + letters(n)
        return numbers

    @cached_property
    def story_places(self) -> dict[str, tuple[int, int]]:
        """Path -> place in the film of every act, beat and scene (screenplay order) and of
        every breakdown, camera note and shot (its scene's place, then its own), so that
        other lists (the summary) can follow the story."""
        places = {block.path: (n, 0) for n, block in enumerate(self.story)}
        for scene in [*self.scenes, None]:
            at = places[scene.path][0] if scene else len(self.story)
            places.update({block.path: (at, n + 1) for n, block in enumerate(self.shooting_blocks(scene))})
        return places

    def ordered_shots(self) -> list[tuple[ExportedBlock | None, ExportedBlock]]:
        """(scene, shot) pairs in film order; shots of no scene come last."""
        return [(scene, shot) for scene in [*self.scenes, None] for shot in self.shots(scene)]

    # Dependencies

    def dependencies(self, block: ExportedBlock, types: tuple[str, ...] = (), relation: str | None = None) -> list[ExportedBlock]:
        """The blocks `block` depends on, in file order, optionally only of some types or one relation."""
        found = []
        for dep in block.dependencies:
            target = self.by_id.get(dep["id"])
            if target is None or (types and target.type not in types) or (relation and dep["type"] != relation):
                continue
            if target not in found:
                found.append(target)
        return found

    def location_of(self, block: ExportedBlock) -> ExportedBlock | None:
        """The `set_in` location, else the first location it depends on."""
        return next(iter(self.dependencies(block, ("location",), "set_in") or self.dependencies(block, ("location",))), None)

    # Scene headings

    def heading_parts(self, scene: ExportedBlock) -> tuple[str, str, str]:
        """(INT./EXT., LOCATION, TIME OF DAY) from the scene's fields or its location."""
        location = self.location_of(scene)
        int_ext = text_field(scene, "int_ext") or (text_field(location, "int_ext") if location else "")
        where = text_field(scene, "location") or (location.title if location else scene.title)
        when = text_field(scene, "time_of_day")
        prefix = INT_EXT.get(int_ext.upper().replace(".", "").replace(" ", ""), int_ext.upper())
        return prefix, one_line(where).upper(), one_line(when).upper()

    def heading(self, scene: ExportedBlock) -> str:
        prefix, where, when = self.heading_parts(scene)
        text = f"{prefix} {where}" if prefix else where
        return f"{text} - {when}" if when else text

    # Assets

    def assets(self, block: ExportedBlock, role: str | None = None, approved_only: bool = False) -> list[Asset]:
        found = []
        entries = block.frontmatter.get("assets")
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                continue
            sha, kind = entry.get("sha256"), entry.get("role")
            if not isinstance(sha, str) or len(sha) != 64 or not set(sha) <= _HEX or kind not in ASSET_ROLES:
                continue
            approved = entry.get("approved") is True
            if (role and kind != role) or (approved_only and not approved):
                continue
            found.append(Asset(sha, kind, approved, self.asset_file(sha)))
        return found

    def asset_file(self, sha: str) -> Path | None:
        """The asset's file, when it is a regular file inside the project: one that is a
        symlink out of it (or a FIFO) is missing here, so it is never embedded or cut in."""
        matches = sorted(p for p in self.project.assets.glob(f"{sha}.*")
                         if not p.name.startswith(".") and regular_file(self.project.root, p) is not None)
        return matches[0] if matches else None

    def still(self, block: ExportedBlock) -> Asset | None:
        """The still to show for a block: an approved one on disk, else any on disk."""
        stills = [a for a in self.assets(block, "still") if a.path]
        return next((a for a in stills if a.approved), stills[0] if stills else None)
