"""Where the cursor is in a block's text: which frontmatter key, and which word.

Read from the raw lines rather than the parsed YAML, because while someone types the
frontmatter is often not valid YAML yet."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from cinefile.format.edit import frontmatter_end
from cinefile.format.problems import Position, Range

_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")
_WORD_CHARS = re.compile(r"[\w-]")
_LISTED_IDS = re.compile(r"(?:\bid:\s*|[\[,]\s*|^\s*-\s+|^\s*-\s*\{\s*)([a-z0-9][a-z0-9_-]*)(?=\s*(?:[,\]\}]|$))", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Cursor:
    at: Position
    in_frontmatter: bool
    key: str | None  # the top-level key whose section holds the cursor
    at_key: bool  # typing a top-level key's name
    prefix: str  # the line's text before the cursor
    word: str  # the word (id characters) around the cursor
    word_range: Range
    section: str  # the text of the key's section, its first line included


def word_at(text: str, col: int) -> tuple[str, int, int]:
    start = col
    while start > 0 and _WORD_CHARS.match(text[start - 1]):
        start -= 1
    end = col
    while end < len(text) and _WORD_CHARS.match(text[end]):
        end += 1
    return text[start:end], start, end


def cursor_at(lines: Sequence[str], at: Position) -> Cursor:
    text = lines[at.line].rstrip("\r\n") if at.line < len(lines) else ""
    col = min(at.col, len(text))
    prefix = text[:col]
    word, start, end = word_at(text, col)
    word_range = Range.of(at.line, start, at.line, end)
    closing = frontmatter_end(lines)
    if closing is None or not 0 < at.line < closing:
        return Cursor(at, False, None, False, prefix, word, word_range, "")
    if not prefix.startswith((" ", "\t", "-")) and ":" not in prefix:
        return Cursor(at, True, None, True, prefix, word, word_range, "")
    first = at.line
    while first > 0 and not _TOP_KEY.match(lines[first]):
        first -= 1
    match = _TOP_KEY.match(lines[first]) if first > 0 else None
    if match is None:
        return Cursor(at, True, None, False, prefix, word, word_range, "")
    last = first + 1
    while last < closing and not _TOP_KEY.match(lines[last]):
        last += 1
    return Cursor(at, True, match.group(1), False, prefix, word, word_range, "".join(lines[first:last]))


def listed_ids(section: str) -> set[str]:
    """The ids a `dependencies:` section already lists, in either list style."""
    body = section.split(":", 1)[1] if ":" in section else section
    return set(_LISTED_IDS.findall(body))


def top_keys(lines: Sequence[str]) -> dict[str, str]:
    """The frontmatter's top-level keys and the text after them, read even when the YAML is
    broken mid-edit."""
    closing = frontmatter_end(lines) or 0
    found = {}
    for line in lines[1:closing]:
        match = _TOP_KEY.match(line)
        if match:
            found.setdefault(match.group(1), line[match.end():].strip())
    return found
