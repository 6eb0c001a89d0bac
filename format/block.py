"""A block: one Markdown file with YAML frontmatter, parsed into what cinefile reads of it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Mapping, NamedTuple

from .catalog import phase_of
from .problems import Problem, Range

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
HEADING_PATTERN = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)


class Ref(NamedTuple):
    """A reference from a block to another block, by id."""

    target: str
    kind: str  # "parent" or "dependency"
    relation: str | None
    range: Range

    def to_json(self) -> list:
        return [self.target, self.kind, self.relation, self.range.to_json()]

    @staticmethod
    def from_json(data: list) -> "Ref":
        return Ref(data[0], data[1], data[2], Range.from_json(data[3]))


@dataclass(slots=True)
class Block:
    path: str  # relative to the project root, with forward slashes
    id: str
    type: str  # "" when missing or unreadable
    title: str
    body: str = ""
    body_line: int = 0
    frontmatter: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    parent: Ref | None = None
    dependencies: list[Ref] = field(default_factory=list)
    # `generated.from`: dependency id -> short content hash it was made or reviewed from.
    record: dict[str, str] | None = None
    assets: list[dict[str, Any]] = field(default_factory=list)
    id_range: Range = Range.of(0, 0)
    key_ranges: Mapping[str, Range] = field(default_factory=dict)
    content_hash: str = ""
    problems: list[Problem] = field(default_factory=list)
    # False when the frontmatter could not be read at all (no text, broken YAML, ...).
    readable: bool = True

    @property
    def refs(self) -> list[Ref]:
        return ([self.parent] if self.parent else []) + self.dependencies

    @property
    def inputs(self) -> list[str]:
        """The ids this block is made from: its parent and its dependencies, in file order."""
        seen: dict[str, None] = {}
        for ref in self.refs:
            seen.setdefault(ref.target, None)
        return list(seen)

    @property
    def phase(self) -> str:
        return phase_of(self.type) or ""


def slugify(text: str) -> str:
    """The id a file name gives: `Scène 4 (draft)` -> `scene-4-draft`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9_-]+", "-", ascii_text.lower()).strip("-_")
    return slug or "block"


def stem_of(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name[:-3] if name.lower().endswith(".md") else name


def first_heading(body: str) -> str | None:
    match = HEADING_PATTERN.search(body)
    return match.group(1) if match else None
