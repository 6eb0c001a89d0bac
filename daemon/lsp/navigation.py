"""Go to definition (an id opens its block's file) and references (who depends on a block,
and who is its child)."""

from __future__ import annotations

from lsprotocol import types

from cinefile.format.problems import Range

from .model import Node
from .positions import to_client_range
from .server import CinefileServer
from .targets import target_at


def location(ls: CinefileServer, node: Node, where: Range | None = None) -> types.Location:
    """A place in a block's file; its id (or its first line) unless told where."""
    if where is None:
        where = node.id_range  # once: a closed block's is read from the index
        where = where if where.end.col else Range.of(0, 0, 0, 3)
    lines = ls.lines_of(node.path) if where.start.line or where.start.col else []
    return types.Location(uri=ls.uri_of(node.path), range=to_client_range(ls.workspace.position_codec, lines, where))


def definition(ls: CinefileServer, params: types.DefinitionParams) -> list[types.Location] | None:
    target, _ = target_at(ls, params.text_document.uri, params.position)
    if target is None or target.block_id is None:
        return None
    owners = ls.model.by_id.get(target.block_id, [])
    return [location(ls, owner) for owner in owners] or None


def references(ls: CinefileServer, params: types.ReferenceParams) -> list[types.Location] | None:
    target, _ = target_at(ls, params.text_document.uri, params.position)
    if target is None:
        return None
    block_id = target.block_id or target.node.id
    found = []
    if params.context.include_declaration:
        found += [location(ls, owner) for owner in ls.model.by_id.get(block_id, [])]
    for user, _kind in ls.model.dependents(block_id):
        found += [location(ls, user, ref.range) for ref in user.refs if ref.target == block_id]
    return found
