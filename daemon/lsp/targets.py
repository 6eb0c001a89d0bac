"""What the cursor points at: a block id (a reference, or the block's own id) or a key.

Shared by hover, definition, references and rename, so they agree on what an id is."""

from __future__ import annotations

from dataclasses import dataclass

from cinefile.format.block import ID_PATTERN, Ref

from .cursor import Cursor, cursor_at
from .model import Node
from .positions import contains, from_client
from .server import CinefileServer


@dataclass(frozen=True, slots=True)
class Target:
    node: Node  # the block being edited
    cursor: Cursor
    block_id: str | None  # the id under the cursor, when it names a block (or is this block's own)
    own: bool  # the id is the block's own
    ref: Ref | None


def target_at(ls: CinefileServer, uri: str, position) -> tuple[Target | None, list[str]]:
    node, lines = ls.document_node(uri)
    if node is None:
        return None, lines
    cursor = cursor_at(lines, from_client(ls.workspace.position_codec, lines, position))
    ref = next((r for r in node.refs if contains(r.range, cursor.at)), None)
    if ref is not None:
        return Target(node, cursor, ref.target, ref.target == node.id, ref), lines
    if cursor.key == "id" or (cursor.at.line == 0 and cursor.in_frontmatter is False and node.block is not None):
        return Target(node, cursor, node.id, True, None), lines
    word = cursor.word
    if cursor.in_frontmatter and cursor.key in ("parent", "dependencies") and word and ls.model.owner(word):
        return Target(node, cursor, word, word == node.id, None), lines
    mention = word.lower()
    if not cursor.in_frontmatter and ID_PATTERN.match(mention) and ls.model.owner(mention):
        return Target(node, cursor, mention, mention == node.id, None), lines  # a block mentioned in the body
    return Target(node, cursor, None, False, None), lines
