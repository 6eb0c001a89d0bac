"""The order of siblings in every export and list: by `order` when a block has one (a number;
`cinefile import` writes it), then by path with numbers compared as numbers."""

from __future__ import annotations

import re
from typing import Callable, Hashable, Sequence, TypeVar

T = TypeVar("T")


_DIGIT_RUNS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """`scene-2` before `scene-10`: runs of digits compare as numbers."""
    parts = _DIGIT_RUNS.split(text)
    parts[1::2] = map(int, parts[1::2])  # split with a group: the digit runs sit at odd places
    return tuple(parts)


def order_key(order: object, path: str) -> tuple:
    """Blocks with an `order` number come first, by it; the rest by their path."""
    if isinstance(order, (int, float)) and not isinstance(order, bool):
        return (0, order, natural_key(path))
    return (1, 0, natural_key(path))


def sibling_key(block) -> tuple:
    """`order_key` of a block with `frontmatter` and `path` (an exported block)."""
    return order_key(block.frontmatter.get("order"), block.path)


def tree_order(items: Sequence[T], key: Callable[[T], tuple], id_of: Callable[[T], str], parent_of: Callable[[T], str | None],
               path_of: Callable[[T], Hashable], nests: Callable[[T, T], bool] = lambda parent, child: True) -> list[tuple[int, T]]:
    """Items sorted by `key`, each followed by its children (those whose parent it is, where
    `nests(parent, child)`), as (depth, item) pairs. A parent cycle is cut: its members come
    last, at depth 0."""
    by_id: dict[str, T] = {}
    for item in items:
        by_id.setdefault(id_of(item), item)
    children: dict[str, list[T]] = {}
    roots = []
    ranked = sorted(items, key=key)
    for item in ranked:
        parent_id = parent_of(item)
        parent = by_id.get(parent_id) if parent_id else None
        if parent is not None and parent is not item and nests(parent, item):
            children.setdefault(id_of(parent), []).append(item)
        else:
            roots.append(item)
    result: list[tuple[int, T]] = []
    seen: set = set()
    stack = [(0, root) for root in reversed(roots)]
    while stack:
        depth, item = stack.pop()
        if path_of(item) in seen:
            continue
        seen.add(path_of(item))
        result.append((depth, item))
        stack.extend((depth + 1, child) for child in reversed(children.get(id_of(item), [])))
    return result + [(0, item) for item in ranked if path_of(item) not in seen]
