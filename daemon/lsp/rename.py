"""Rename a block id: the project API's rename (every reference, the `generated.from`
records, the block's own `id:` or file), sent to the editor as one WorkspaceEdit."""

from __future__ import annotations

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from cinefile.format.problems import Range

from ..errors import UserError
from .edits import EditBuilder, client_edits_files
from .positions import to_client_range
from .server import CinefileServer
from .targets import target_at


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
    if target is None or target.block_id is None or ls.model.owner(target.block_id) is None:
        return None
    old = target.block_id
    try:
        changes = ls.api.rename(old, params.new_name, users=[node.path for node, _ in ls.model.dependents(old)],
                                move_file=client_edits_files(ls, "rename"), text_of=lambda rel: "".join(ls.lines_of(rel)))
    except UserError as error:
        raise JsonRpcInvalidParams(str(error)) from None
    if not changes:
        return None
    builder = EditBuilder(ls)
    for change in changes:
        builder.add(change)
    return builder.build()
