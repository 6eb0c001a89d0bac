"""A block's new text with a dependency added, for the quick fix on a block named in the body
but not listed. A plain function of the text; the caller turns it into an edit. (Marking up
to date and approving are the project API's: `fresh_change`, `approve_change`.)"""

from __future__ import annotations

import re

from cinefile.format.edit import EditError, set_field

from .cursor import frontmatter_end

_FLOW_LIST = re.compile(r"^dependencies:\s*\[(.*)\]\s*$")
_BLOCK_ITEM = re.compile(r"^(\s*-\s+)")


class ActionError(ValueError):
    """The change cannot be made to this text; the message says why and what to do."""


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
    try:
        return set_field(text, "dependencies", [block_id])
    except EditError as error:
        raise ActionError(str(error)) from None
