"""The new text of a block for each change an action makes: up to date, a still approved,
a dependency added. Plain functions of the text; the callers turn them into edits."""

from __future__ import annotations

import re

from cinefile.format.edit import EditError, set_field

from ..generate.writeback import with_still_approved
from .cursor import frontmatter_end
from .model import Model, Node

_FLOW_LIST = re.compile(r"^dependencies:\s*\[(.*)\]\s*$")
_BLOCK_ITEM = re.compile(r"^(\s*-\s+)")


class ActionError(ValueError):
    """The change cannot be made to this text; the message says why and what to do."""


def fresh_text(model: Model, node: Node, text: str) -> str:
    """`generated.from` set to the current hashes of what the block is made from."""
    frontmatter = node.block.frontmatter if node.block is not None else {}
    generated = frontmatter.get("generated")
    generated = dict(generated) if isinstance(generated, dict) else {}
    generated["from"] = model.fresh_record(node)
    return _set(text, "generated", generated)


def unapproved_stills(node: Node) -> list[str]:
    return [a["sha256"] for a in node.assets if a.get("role") == "still" and not a.get("approved") and "sha256" in a]


def approve_text(node: Node, text: str, sha256: str) -> str:
    """The still `sha256` approved, and any other still of the block no longer approved."""
    raw = node.block.frontmatter.get("assets") if node.block is not None else None
    if not isinstance(raw, list) or not any(isinstance(a, dict) and a.get("sha256") == sha256 for a in raw):
        raise ActionError(f"{node.path}: no asset {sha256[:12]}… in `assets`: generate a still first")
    return _set(text, "assets", with_still_approved(raw, sha256))


def add_dependency_text(text: str, block_id: str) -> str:
    """`block_id` appended to `dependencies`, in the list style the file already uses."""
    lines = text.splitlines(True)
    for number, line in enumerate(lines[:frontmatter_end(lines) or 0]):
        match = _FLOW_LIST.match(line.rstrip("\r\n"))
        if match:
            items = match.group(1).strip()
            ending = line[len(line.rstrip("\r\n")):]
            lines[number] = f"dependencies: [{items + ', ' if items else ''}{block_id}]{ending}"
            return "".join(lines)
        if line.rstrip() == "dependencies:":
            last = number
            while last + 1 < len(lines) and _BLOCK_ITEM.match(lines[last + 1]):
                last += 1
            if last > number:
                prefix = _BLOCK_ITEM.match(lines[last]).group(1)
                newline = "\r\n" if lines[last].endswith("\r\n") else "\n"
                lines.insert(last + 1, f"{prefix}{block_id}{newline}")
                return "".join(lines)
    return _set(text, "dependencies", [block_id])


def _set(text: str, key: str, value) -> str:
    try:
        return set_field(text, key, value)
    except EditError as error:
        raise ActionError(str(error)) from None
