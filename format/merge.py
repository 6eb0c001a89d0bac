"""A three-way merge of a block file that knows its shape: the frontmatter key by key, the
body line by line.

Two people who changed different fields of one block (one its `dependencies`, the other its
`generated` record) changed different lines, but often lines next to each other, and a
line-based merge calls that a conflict. Here each top-level key is merged on its own: the side
that changed it wins, both sides changing it the same way is no conflict, and only a key both
changed differently gets conflict markers, around that key alone. The file keeps our key order
and each key keeps the text of the side it came from, so comments and styles survive.

The body is merged by a function the caller gives (git's own line merge, in practice), so this
module stays pure. A file that is not a block (no frontmatter, YAML that does not read, keys
that repeat, anchors that tie keys together) gets None: merge it as plain text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import yaml
from frontmatter.default_handlers import YAMLHandler

from .conflicts import MARKER_SIZE, OURS, THEIRS, split_lines
from .yaml_nodes import Loader, construct

_BOUNDARY = YAMLHandler.FM_BOUNDARY
_OTHER_BREAKS = re.compile("\r(?!\n)|[\x85\u2028\u2029]")

# (base, ours, theirs) -> (merged text, whether conflicts are left in it)
BodyMerge = Callable[[str, str, str], tuple[str, bool]]


@dataclass(frozen=True)
class Merged:
    text: str
    conflicts: int  # conflicts left in the frontmatter, plus one when the body has any


@dataclass(frozen=True)
class _Entry:
    text: str  # the key's lines as written, with comments just above the next key left to that key
    value: object


@dataclass(frozen=True)
class _Split:
    head: str  # the opening `---` line
    prelude: str  # comments and blank lines before the first key
    entries: dict[str, _Entry]  # in file order
    tail: str  # the closing `---` line
    body: str


def _split(text: str) -> _Split | None:
    if text == "":  # a file new on both sides: git gives an empty base
        return _Split("", "", {}, "", "")
    opening = _BOUNDARY.match(text.lstrip("\ufeff"))
    if not opening:
        return None
    start = len(text) - len(text.lstrip("\ufeff")) + opening.end()
    closing = _BOUNDARY.search(text, start)
    if closing is None:
        return None
    chunk = text[start : closing.start()]
    if "&" in chunk:  # an anchor may tie one key's value to another's: no key stands alone
        return None
    loader = Loader(chunk)
    try:
        root = loader.get_single_node()
        values = construct(loader, root, chunk) if root is not None else {}
    except (yaml.YAMLError, RecursionError):
        return None
    finally:
        loader.dispose()
    if not isinstance(values, dict) or (root is not None and not isinstance(root, yaml.MappingNode)):
        return None
    keys = [getattr(key_node, "value", None) for key_node, _ in (root.value if root is not None else [])]
    if any(not isinstance(key, str) for key in keys) or len(set(keys)) != len(keys):
        return None
    nodes = [key_node for key_node, _ in (root.value if root is not None else [])]
    if any(node.start_mark.column != 0 for node in nodes) or (chunk and not chunk.endswith("\n")) or set(values) != set(keys):
        return None  # not laid out one key to a line (a flow mapping, keys on the `---` line), or keys not words
    if _OTHER_BREAKS.search(chunk):
        return None  # line breaks YAML counts and a split at `\n` does not: positions would not agree
    lines = split_lines(chunk)
    starts = [node.start_mark.line for node in nodes] + [len(lines)]
    entries, first = {}, starts[0]
    for number, key in enumerate(keys):
        last = starts[number + 1]
        if number + 1 < len(keys):
            # Comments and blank lines just above the next key belong to it (as format/edit.py has it).
            while last - 1 > starts[number] and (not lines[last - 1].strip() or lines[last - 1].startswith("#")):
                last -= 1
        entries[key] = _Entry("".join(lines[first:last]), values[key])
        first = last
    body_start = closing.end() + 1 if text[closing.end() : closing.end() + 1] == "\n" else closing.end()
    # Line 0 is the rest of the opening `---` line: it stays with it, so that markers start a line.
    head, prelude = text[:start] + "".join(lines[:1]), "".join(lines[1 : starts[0]])
    return _Split(head, prelude, entries, text[closing.start() : body_start], text[body_start:])


def _pick(base: str | None, ours: str | None, theirs: str | None) -> tuple[bool, str | None]:
    """(clean, text) of a three-way choice between whole texts (None: absent)."""
    if ours == theirs or theirs == base:
        return True, ours
    if ours == base:
        return True, theirs
    return False, None


def _conflict(ours: str, theirs: str, size: int) -> str:
    newline = "\r\n" if (ours + theirs).endswith("\r\n") else "\n"

    def ended(text: str) -> str:
        return text if not text or text.endswith(("\n", "\r")) else text + newline

    return (f"{'<' * size} {OURS}{newline}{ended(ours)}{'=' * size}{newline}"
            f"{ended(theirs)}{'>' * size} {THEIRS}{newline}")


def _key_order(ours: list[str], theirs: list[str]) -> list[str]:
    """Our keys in our order, with each key only theirs have after the key it follows there."""
    order = list(ours)
    for number, key in enumerate(theirs):
        if key in order:
            continue
        before = next((k for k in reversed(theirs[:number]) if k in order), None)
        order.insert(order.index(before) + 1 if before is not None else 0, key)
    return order


def merge_block(base: str, ours: str, theirs: str, merge_body: BodyMerge, marker_size: int = MARKER_SIZE) -> Merged | None:
    """The merge of three versions of a block file, or None when one is not a block."""
    sides = [_split(base), _split(ours), _split(theirs)]
    if any(side is None for side in sides) or not ours or not theirs:
        return None
    old, mine, other = sides
    conflicts = 0
    parts = [_pick(old.head, mine.head, other.head)[1] or mine.head]

    clean, prelude = _pick(old.prelude, mine.prelude, other.prelude)
    if not clean:
        prelude, conflicts = _conflict(mine.prelude, other.prelude, marker_size), conflicts + 1
    parts.append(prelude)

    for key in _key_order(list(mine.entries), list(other.entries)):
        b, o, t = old.entries.get(key), mine.entries.get(key), other.entries.get(key)
        clean, text = _pick(*(entry.text if entry else None for entry in (b, o, t)))
        if not clean and o is not None and t is not None and o.value == t.value:
            clean, text = True, o.text  # the same value, written two ways: keep ours
        if not clean:
            text, conflicts = _conflict(o.text if o else "", t.text if t else "", marker_size), conflicts + 1
        parts.append(text or "")

    parts.append(_pick(old.tail, mine.tail, other.tail)[1] or mine.tail)  # `---` lines: ours when both changed
    body, body_conflicts = _merge_body(old.body, mine.body, other.body, merge_body)
    return Merged("".join(parts) + body, conflicts + (1 if body_conflicts else 0))


def _merge_body(base: str, ours: str, theirs: str, merge_body: BodyMerge) -> tuple[str, bool]:
    clean, text = _pick(base, ours, theirs)
    return (text, False) if clean else merge_body(base, ours, theirs)
