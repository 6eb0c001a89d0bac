"""A block: one Markdown file with YAML frontmatter, parsed into what cinefile reads of it."""

from __future__ import annotations

import re
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


# Ids made from names (titles, places, characters) are cut to this, after a whole word: a
# heading or a title can be a paragraph long, and an id is a file name.
MAX_NAME_ID = 60


def slugify(text: str, max_length: int | None = None) -> str:
    """The id a file name gives: `Scène 4 (draft)` -> `scene-4-draft`. Ids are ASCII (links,
    URLs and editors find them by that pattern), so other scripts are transliterated:
    `Ярослав` -> `yaroslav`, `日本` -> `riben`. `max_length` cuts a longer one after a whole
    word where it can, for ids that become file names."""
    if text.isascii():
        ascii_text = text
    else:
        from anyascii import anyascii  # here: most names are ASCII, and every command start would pay its import

        ascii_text = anyascii(text)
    slug = re.sub(r"[^a-z0-9_-]+", "-", ascii_text.lower()).strip("-_")
    if max_length is not None and len(slug) > max_length:
        words = slug[: max_length + 1].rsplit("-", 1)[0]
        slug = (words if len(words) * 2 >= max_length else slug[:max_length]).strip("-_")
    return slug or "block"


def stem_of(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name[:-3] if name.lower().endswith(".md") else name


def first_heading(body: str) -> str | None:
    match = HEADING_PATTERN.search(body)
    return match.group(1) if match else None
