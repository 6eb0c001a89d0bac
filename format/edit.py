"""Edit one frontmatter field and keep every other byte of the file as it was."""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping, Sequence

import yaml
from frontmatter.default_handlers import YAMLHandler

from .yaml_nodes import Loader, construct

_BOUNDARY = YAMLHandler.FM_BOUNDARY
_BOUNDARY_LINE = re.compile(r"^-{3,}\s*$")
_FLOW_LIST = re.compile(r"^dependencies:\s*\[(.*)\]\s*$")
_BLOCK_ITEM = re.compile(r"^(\s*-\s+)")


class EditError(ValueError):
    """The file's frontmatter cannot be edited safely (missing or broken)."""


_CDumper = getattr(yaml, "CSafeDumper", None)
_STYLE = {"sort_keys": False, "allow_unicode": True, "default_flow_style": False, "width": 100}


def _render(key: str, value: Any, newline: str) -> str:
    # libyaml's emitter is 7x faster (marking 5,000 blocks fresh renders 5,000 records) and
    # writes the same text, except that it escapes characters beyond the BMP (an emoji
    # becomes "\U0001F3AC"): those go through the Python emitter, which keeps them as typed.
    text = yaml.dump({key: value}, Dumper=_CDumper, **_STYLE) if _CDumper else ""
    if not _CDumper or "\\U" in text:
        text = yaml.safe_dump({key: value}, **_STYLE)
    return text.replace("\n", newline)


def _frontmatter_span(text: str) -> tuple[int, int]:
    opening = _BOUNDARY.match(text.lstrip("\ufeff"))
    offset = len(text) - len(text.lstrip("\ufeff"))
    if not opening:
        raise EditError("the file has no frontmatter: add `---`, `type: <type>`, `---` at its top first")
    closing = _BOUNDARY.search(text, offset + opening.end())
    if closing is None:
        raise EditError("the file's frontmatter is never closed: add a `---` line after it first")
    return offset + opening.end(), closing.start()


def set_field(text: str, key: str, value: Any) -> str:
    """Return `text` with top-level frontmatter `key` set to `value` (removed when None)."""
    return _edit(text, key, lambda current: value)


def merge_field(text: str, key: str, values: Mapping[str, Any]) -> str:
    """Return `text` with the top-level frontmatter mapping `key` updated with `values`, its
    other entries kept; a `key` that is missing or not a mapping becomes `values`. Read from
    the same YAML the edit is made in, so a caller needs no parse of the whole block."""
    def merged(current: Callable[[], Any]) -> dict:
        value = current()
        return (dict(value) if isinstance(value, dict) else {}) | dict(values)

    return _edit(text, key, merged)


def _edit(text: str, key: str, new_value: Callable[[Callable[[], Any]], Any]) -> str:
    """`text` with top-level `key` set to what `new_value` gives, called with a function that
    builds the value `key` has now (None when missing; the last one when given twice, as a
    parse reads it)."""
    start, end = _frontmatter_span(text)
    chunk = text[start:end]
    newline = "\r\n" if "\r\n" in text[:end] else "\n"
    loader = Loader(chunk)
    try:
        root = loader.get_single_node()
        if root is not None and not isinstance(root, yaml.MappingNode):
            raise EditError("the frontmatter is not a mapping of `key: value` lines: fix it first")
        entries = list(root.value) if root is not None else []
        nodes = [value_node for key_node, value_node in entries if getattr(key_node, "value", None) == key]
        value = new_value(lambda: construct(loader, nodes[-1], chunk) if nodes else None)
    except yaml.YAMLError as error:
        raise EditError(f"the frontmatter is not valid YAML ({str(error).splitlines()[0]}): fix it first") from None
    finally:
        loader.dispose()

    lines = chunk.splitlines(keepends=True)
    for i, (key_node, _) in enumerate(entries):
        if getattr(key_node, "value", None) != key:
            continue
        first = key_node.start_mark.line
        last = entries[i + 1][0].start_mark.line if i + 1 < len(entries) else len(lines)
        # Comments and blank lines just above the next key belong to that key.
        while last - 1 > first and (not lines[last - 1].strip() or lines[last - 1].startswith("#")):
            last -= 1
        replacement = _render(key, value, newline) if value is not None else ""
        return text[:start] + "".join(lines[:first]) + replacement + "".join(lines[last:]) + text[end:]

    if value is None:
        return text
    body = chunk if chunk.endswith(("\n", "\r")) or not chunk else chunk + newline
    return text[:start] + body + _render(key, value, newline) + text[end:]


def set_body(text: str, body: str) -> str:
    """Return `text` with everything after the frontmatter replaced by `body`.

    The frontmatter keeps every byte; the body takes the file's line endings. The body
    starts where `parse_text` says it does, so what is written is what is read back.
    """
    _, end = _frontmatter_span(text)
    closing = _BOUNDARY.match(text, end)
    assert closing is not None  # _frontmatter_span found it there
    newline = "\r\n" if "\r\n" in text[:end] else "\n"
    head = text[: closing.end()]
    if text[closing.end() : closing.end() + 1] == "\n":
        head += "\n"
    else:
        head += newline  # the file ended on the closing line: the body needs its own line
    lines = body.replace("\r\n", "\n").replace("\r", "\n")
    return head + lines.replace("\n", newline)


def frontmatter_end(lines: Sequence[str]) -> int | None:
    """The line of the closing `---`, or None when there is no frontmatter; the last line
    when it is never closed (everything is frontmatter while it is typed)."""
    if not lines or not _BOUNDARY_LINE.match(lines[0].lstrip("\ufeff")):
        return None
    for number in range(1, len(lines)):
        if _BOUNDARY_LINE.match(lines[number]):
            return number
    return len(lines)


def with_dependency(text: str, block_id: str, relation: str | None = None) -> str:
    """`text` with `block_id` appended to `dependencies`, in the list style the file already
    uses (`[a, b]` or one `- a` per line), as `{id, type}` when a relation is given."""
    item = f"{{id: {block_id}, type: {relation}}}" if relation else block_id
    lines = text.splitlines(True)
    for number, line in enumerate(lines[:frontmatter_end(lines) or 0]):
        match = _FLOW_LIST.match(line.rstrip("\r\n"))
        if match:
            items = match.group(1).strip()
            ending = line[len(line.rstrip("\r\n")):]
            lines[number] = f"dependencies: [{items + ', ' if items else ''}{item}]{ending}"
            return "".join(lines)
        if line.rstrip() == "dependencies:":
            last = number
            while last + 1 < len(lines) and _BLOCK_ITEM.match(lines[last + 1]):
                last += 1
            if last > number:
                prefix = _BLOCK_ITEM.match(lines[last]).group(1)
                newline = "\r\n" if lines[last].endswith("\r\n") else "\n"
                lines.insert(last + 1, f"{prefix}{item}{newline}")
                return "".join(lines)
    return set_field(text, "dependencies", [{"id": block_id, "type": relation} if relation else block_id])
