"""Completion in the frontmatter: keys, `type:` values, block ids after `parent:` and
`dependencies:`, tags the project already uses, relation types and asset roles.

Ids come from the in-memory model; at 10,000 blocks the list is filtered here by what was
typed and capped, and marked incomplete so the editor asks again as the word grows.
"""

from __future__ import annotations

import re

from lsprotocol import types

from cinefile.format.catalog import ASSET_ROLES, KNOWN_KEYS, RELATION_TYPES, TYPES, allowed_parents
from cinefile.format.fields import TYPE_FIELDS

from .cursor import Cursor, cursor_at, listed_ids, top_keys
from .model import Node
from .positions import from_client, to_client_range
from .server import CinefileServer

MAX_IDS = 100
TRIGGERS = [":", " ", ",", "[", "-"]
_ROLE_VALUE = re.compile(r"\brole:\s*[\w-]*$")
_RELATION_VALUE = re.compile(r"\btype:\s*[\w-]*$")
_VALUE_STARTED = re.compile(r"^[A-Za-z_][\w-]*\s*:")


def complete(ls: CinefileServer, params: types.CompletionParams) -> types.CompletionList | None:
    node, lines = ls.document_node(params.text_document.uri)
    if node is None:
        return None
    codec = ls.workspace.position_codec
    cursor = cursor_at(lines, from_client(codec, lines, params.position))
    if not cursor.in_frontmatter:
        return None
    replace = to_client_range(codec, lines, cursor.word_range)
    items, incomplete = _items(ls, node, cursor, top_keys(lines))
    for item in items:
        item.text_edit = types.TextEdit(range=replace, new_text=item.insert_text or item.label)
    return types.CompletionList(is_incomplete=incomplete, items=items)


def _items(ls: CinefileServer, node: Node, cursor: Cursor, keys: dict[str, str]) -> tuple[list[types.CompletionItem], bool]:
    type_name = node.type or keys.get("type", "")
    if cursor.at_key:
        return _keys(type_name, keys, cursor), False
    if cursor.key == "type" and _VALUE_STARTED.match(cursor.prefix):
        return _types(), False
    if cursor.key == "parent" and _VALUE_STARTED.match(cursor.prefix):
        return _ids(ls, node, cursor, allowed_parents(type_name) or None, set())
    if cursor.key == "dependencies":
        if _RELATION_VALUE.search(cursor.prefix):
            return [_item(name, types.CompletionItemKind.EnumMember, "relation", doc) for name, doc in RELATION_TYPES.items()], False
        return _ids(ls, node, cursor, None, listed_ids(cursor.section) - {cursor.word})
    if cursor.key == "tags":
        used = set(node.tags)
        return [_item(tag, types.CompletionItemKind.Value, f"used by {count} block(s)")
                for tag, count in ls.model.tags.most_common() if tag not in used or tag == cursor.word], False
    if cursor.key == "assets" and _ROLE_VALUE.search(cursor.prefix):
        return [_item(role, types.CompletionItemKind.EnumMember, "asset role", doc) for role, doc in ASSET_ROLES.items()], False
    return [], False


def _item(label: str, kind: types.CompletionItemKind, detail: str, doc: str | None = None, **extra) -> types.CompletionItem:
    return types.CompletionItem(label=label, kind=kind, detail=detail, documentation=doc, **extra)


def _keys(type_name: str, present: dict[str, str], cursor: Cursor) -> list[types.CompletionItem]:
    fields = TYPE_FIELDS.get(type_name, {})
    return [_item(key, types.CompletionItemKind.Property, "frontmatter key", doc, insert_text=f"{key}: ",
                  sort_text=f"{0 if key in fields else 1}{key}")
            for key, doc in (KNOWN_KEYS | fields).items() if key not in present or key == cursor.word]


def _types() -> list[types.CompletionItem]:
    return [_item(name, types.CompletionItemKind.Class, f"{t.phase} · {t.description}", t.description,
                  sort_text=f"{i:02d}")
            for i, (name, t) in enumerate(TYPES.items())]


def _ids(ls: CinefileServer, node: Node, cursor: Cursor, only_types: tuple[str, ...] | None,
         listed: set[str]) -> tuple[list[types.CompletionItem], bool]:
    typed = cursor.prefix[cursor.word_range.start.col:].lower()
    items = []
    for block_id, owners in ls.model.by_id.items():
        owner = owners[0]
        if block_id == node.id or block_id in listed or (only_types and owner.type not in only_types):
            continue
        if typed and typed not in block_id and typed not in owner.title.lower():
            continue
        items.append(_item(block_id, types.CompletionItemKind.Reference, f"{owner.title} · {owner.type or 'no type'}",
                           filter_text=f"{block_id} {owner.title}", sort_text=f"{0 if block_id.startswith(typed) else 1}{block_id}"))
        if len(items) >= MAX_IDS:
            return items, True
    return items, False
