"""The order of siblings in every export and list: by `order` when a block has one (a number;
`cinefile import` writes it), then by path with numbers compared as numbers."""

from __future__ import annotations

import re


def natural_key(text: str) -> tuple:
    """`scene-2` before `scene-10`: runs of digits compare as numbers."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def order_key(order: object, path: str) -> tuple:
    """Blocks with an `order` number come first, by it; the rest by their path."""
    if isinstance(order, (int, float)) and not isinstance(order, bool):
        return (0, order, natural_key(path))
    return (1, 0, natural_key(path))


def sibling_key(block) -> tuple:
    """`order_key` of a block with `frontmatter` and `path` (an exported block)."""
    return order_key(block.frontmatter.get("order"), block.path)
