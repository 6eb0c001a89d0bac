"""Rename a block id: every reference to it in every file, the `generated.from` records
that name it, its own `id:`, and its file when the file is named after the id, all in one
WorkspaceEdit."""

from __future__ import annotations

import re

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from cinefile.format.block import ID_PATTERN, slugify, stem_of
from cinefile.format.problems import Range

from .cursor import frontmatter_end
from .edits import EditBuilder, client_edits_files
from .positions import to_client_range
from .server import CinefileServer
from .targets import target_at

_TOP_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:")


def prepare_rename(ls: CinefileServer, params: types.PrepareRenameParams):
    target, lines = target_at(ls, params.text_document.uri, params.position)
    if target is None or target.block_id is None or ls.model.owner(target.block_id) is None:
        return None
    where = target.ref.range if target.ref is not None else target.cursor.word_range
    if target.own and target.ref is None and target.cursor.key != "id":
        return types.PrepareRenamePlaceholder(
            range=to_client_range(ls.workspace.position_codec, lines, Range.of(0, 0, 0, 3)), placeholder=target.block_id)
    return types.PrepareRenamePlaceholder(range=to_client_range(ls.workspace.position_codec, lines, where), placeholder=target.block_id)


def rename(ls: CinefileServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
    target, _ = target_at(ls, params.text_document.uri, params.position)
    if target is None or target.block_id is None:
        return None
    old, new = target.block_id, params.new_name.strip()
    if not ID_PATTERN.match(new):
        raise JsonRpcInvalidParams(f"`{new}` is not a valid id: use lowercase letters, digits, `-` and `_`, for example `{slugify(new)}`")
    if new != old and ls.model.owner(new) is not None:
        raise JsonRpcInvalidParams(f"`{new}` is already the id of {ls.model.owner(new).path}: pick another")
    owner = ls.model.owner(old)
    if owner is None or new == old:
        return None
    builder = EditBuilder(ls)
    own_rel = owner.path
    for user, _ in ls.model.dependents(old):
        if user.path != own_rel:
            _rename_in(ls, builder, user.path, old, new)
    stem_named = slugify(stem_of(own_rel)) == old
    can_move = client_edits_files(ls, "rename")
    node, lines = ls.document_node(ls.uri_of(own_rel))
    has_id_key = node is not None and node.block is not None and "id" in node.block.frontmatter
    if has_id_key:
        builder.replace(own_rel, node.id_range, new, lines)
    elif not can_move:
        type_range = node.block.key_ranges.get("type") if node is not None and node.block is not None else None
        line = type_range.start.line + 1 if type_range is not None else 1
        builder.replace(own_rel, Range.of(line, 0), f"id: {new}\n", lines)
    if stem_named and can_move:
        folder = own_rel.rsplit("/", 1)[0] + "/" if "/" in own_rel else ""
        new_rel = f"{folder}{new}.md"
        if not (ls.project.root / new_rel).exists():
            builder.rename(own_rel, new_rel)
    return builder.build()


def _rename_in(ls: CinefileServer, builder: EditBuilder, rel: str, old: str, new: str) -> None:
    node, lines = ls.document_node(ls.uri_of(rel))
    if node is None:
        return
    for ref in node.refs:
        if ref.target == old:
            builder.replace(rel, ref.range, new, lines)
    for where in _record_keys(lines, old):
        builder.replace(rel, where, new, lines)


def _record_keys(lines, block_id: str) -> list[Range]:
    """Where `generated.from` names the id: `    <id>: <hash>` lines under `generated:`."""
    closing = frontmatter_end(lines) or 0
    key_line = re.compile(rf"^(\s+){re.escape(block_id)}\s*:")
    found, inside = [], False
    for number in range(1, closing):
        line = lines[number]
        if _TOP_KEY.match(line):
            inside = line.startswith("generated")
            continue
        match = key_line.match(line) if inside else None
        if match:
            start = len(match.group(1))
            found.append(Range.of(number, start, number, start + len(block_id)))
    return found
