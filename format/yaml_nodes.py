"""Loading frontmatter YAML into nodes (which keep positions) and values, quickly.

PyYAML with libyaml does the parsing. Two shortcuts take about 40% off its cost on
frontmatter (measured over 10,000 blocks), with the same values:

- The resolver's answer for a plain scalar depends only on its text, and frontmatter
  repeats the same few words (`type`, `shot`, ids, ...), so it is remembered.
- Values are built from the node tree in one plain recursion for what frontmatter holds
  (maps, lists, strings, numbers, booleans, nulls, dates). Anything else (anchors, merge
  keys, other tags) goes through PyYAML's own constructor.

Two shapes of YAML would crash a reader rather than fail, so `shape_problem` and
`alias_problem` find them first: nesting deep enough to overflow the stack (libyaml's
composer recurses in C), and anchors that hold themselves or expand a few lines into
millions of values.
"""

from __future__ import annotations

import contextlib
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: same result, faster
_TAG = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ, _MERGE = _TAG + "str", _TAG + "map", _TAG + "seq", _TAG + "merge"
_SCALAR_TAGS = frozenset(_TAG + name for name in ("null", "bool", "int", "float", "binary", "timestamp"))
_MEMO_LIMIT = 4096  # plain scalars remembered before starting over
MAX_DEPTH = 100
MAX_VALUES = 100_000
_NESTING_MARKS = "[{-?\n"  # a level of nesting takes at least one of these


class Loader(_Base):
    _plain_tags: dict[str, str] = {}

    def resolve(self, kind, value, implicit):
        if kind is ScalarNode and implicit[0] and not self.yaml_path_resolvers:
            tag = self._plain_tags.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(self._plain_tags) >= _MEMO_LIMIT:
                    self._plain_tags.clear()
                self._plain_tags[value] = tag
            return tag
        return super().resolve(kind, value, implicit)


class _NotPlain(Exception):
    """A node the quick construction leaves to PyYAML."""


def construct(loader: Loader, root: Node, source: str) -> Any:
    """The value of `root` (composed by `loader` from `source`), as PyYAML's safe loader gives it."""
    if "&" not in source:  # no anchors, so no shared or recursive nodes
        with contextlib.suppress(_NotPlain):  # what it leaves to PyYAML
            return _value(loader, root)
    return loader.construct_document(root)


def _value(loader: Loader, node: Node) -> Any:
    kind, tag = node.__class__, node.tag
    if kind is ScalarNode:
        if tag == _STR:
            return node.value
        if tag in _SCALAR_TAGS:
            return loader.yaml_constructors[tag](loader, node)
    elif kind is MappingNode:
        if tag == _MAP:
            mapping = {}
            for key_node, value_node in node.value:
                if key_node.__class__ is not ScalarNode or key_node.tag == _MERGE:
                    raise _NotPlain
                mapping[_value(loader, key_node)] = _value(loader, value_node)
            return mapping
    elif kind is SequenceNode and tag == _SEQ:
        return [_value(loader, item) for item in node.value]
    raise _NotPlain


def shape_problem(source: str) -> str | None:
    """Why `source` is nested too deeply to load, or None. Counted on libyaml's event
    stream, which keeps its own stack, and only when there are enough marks for it to be
    possible."""
    if sum(source.count(mark) for mark in _NESTING_MARKS) <= MAX_DEPTH:
        return None
    try:
        return _depth_problem(yaml.parse(source, Loader=_Base))
    except yaml.YAMLError:
        # Newer libyaml (PyYAML 6.0.4's wheels) refuses deep nesting with a scanner error of
        # its own; the pure-Python parser keeps its stack in a list, so it counts either way.
        try:
            return _depth_problem(yaml.parse(source, Loader=yaml.SafeLoader))
        except yaml.YAMLError:
            return None  # the loader reports syntax errors, with their position


def _depth_problem(events) -> str | None:
    depth = 0
    for event in events:
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                return f"frontmatter is nested more than {MAX_DEPTH} levels deep: flatten it"
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1
    return None


class _HoldsItself(Exception):
    """A value found inside itself."""


def alias_problem(value: Any) -> str | None:
    """Why a value loaded from YAML with anchors cannot be used, or None: it holds itself,
    or written out it would hold more than MAX_VALUES values. Linear in the distinct values."""
    sizes: dict[int, int] = {}
    open_ids: set[int] = set()

    def size(item: Any) -> int:
        if not isinstance(item, (list, dict)):
            return 1
        key = id(item)
        if key in sizes:
            return sizes[key]
        if key in open_ids:
            raise _HoldsItself
        open_ids.add(key)
        total = 1 + sum(size(child) for child in (item.values() if isinstance(item, dict) else item))
        open_ids.discard(key)
        sizes[key] = total
        return total

    try:
        total = size(value)
    except _HoldsItself:
        return "frontmatter holds itself through an anchor (`&name` ... `*name`): write the value out instead"
    if total > MAX_VALUES:
        return f"frontmatter expands to {total:,} values through anchors and aliases: write the values out"
    return None
