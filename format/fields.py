"""The fields each type needs beyond `type`, and the check that finds the ones missing.

Editors offer these keys when completing frontmatter, and warn when one is missing, so a
scene always says where and when it happens and a shot always says how it is framed.
"""

from __future__ import annotations

from .block import Block
from .problems import WARNING, Problem, Range

_TYPE_LINE = Range.of(0, 0, 0, 3)

# type -> {field: what it holds}
TYPE_FIELDS: dict[str, dict[str, str]] = {
    "scene": {
        "int_ext": "INT or EXT, inside or outside",
        "time_of_day": "DAY, NIGHT, DAWN, DUSK, ...",
    },
    "shot": {
        "size": "framing: wide, medium, close-up, ...",
        "angle": "camera angle: eye level, high, low, ...",
        "movement": "camera movement: static, pan, handheld, push in, ...",
        "lens": "focal length, for example 35mm",
        "duration": "length in seconds",
    },
}


def missing_fields(block: Block) -> list[Problem]:
    """A warning for every field the block's type needs that is absent or empty: on the
    empty key when there is one, else on the `type` line."""
    needed = TYPE_FIELDS.get(block.type)
    if not needed or not block.readable:
        return []
    missing = [(name, hint) for name, hint in needed.items() if block.frontmatter.get(name) in (None, "")]
    if not missing:
        return []
    type_range = block.key_ranges.get("type", _TYPE_LINE)
    return [Problem("missing-field", f"this {block.type} needs `{name}` ({hint}): give `{name}:` a value",
                    block.key_ranges.get(name, type_range), WARNING) for name, hint in missing]
