"""`workspace/executeCommand`: the same actions as the code actions, for key bindings and
command palettes. Changes to blocks are sent to the editor as WorkspaceEdits
(`workspace/applyEdit`); long work reports progress and can be cancelled."""

from __future__ import annotations

import asyncio

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.uris import to_fs_path

from ..errors import UserError
from .edits import EditBuilder
from .lifecycle import session_keys
from .model import Node
from .progress import Work
from .server import CinefileServer

SYNC, MARK_FRESH, APPROVE, EXPORT, SET_KEYS, BLOCKS = (
    "cinefile.sync", "cinefile.markFresh", "cinefile.approve", "cinefile.export", "cinefile.setKeys", "cinefile.blocks")


async def project_open(ls: CinefileServer) -> None:
    """Wait until the server has opened its project and loaded the model (a command sent
    right at start-up runs then), and refuse when there is no project."""
    await ls.started()
    if ls.project is None:
        raise JsonRpcInvalidParams("no cinefile project is open: open a folder holding cinefile.toml")


async def block_named(ls: CinefileServer, block_id) -> Node:
    if not isinstance(block_id, str):
        raise JsonRpcInvalidParams(f"expected a block id, got {block_id!r}")
    await project_open(ls)
    owner = ls.model.owner(block_id)
    if owner is None:
        raise JsonRpcInvalidParams(f"no block `{block_id}`: check the id")
    node, _ = ls.document_node(ls.uri_of(owner.path))
    return node


async def apply(ls: CinefileServer, label: str, builder: EditBuilder) -> dict:
    result = await ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(edit=builder.build(), label=label))
    if not result.applied:
        raise JsonRpcInvalidParams(f"{label}: the editor did not apply the edit ({result.failure_reason or 'no reason given'})")
    return {"applied": True}


async def sync_command(ls: CinefileServer, *args) -> dict:
    await project_open(ls)
    async with Work(ls, "Indexing") as work:
        report = await work.run(ls.run_sync)
    return report.to_json()


async def mark_fresh_command(ls: CinefileServer, *ids) -> dict:
    """[id, ...]: the project API's `fresh_change` of each block's open buffer (else its
    file), sent as one edit. Blocks made from nothing, or up to date already, need none."""
    builder = EditBuilder(ls)
    for block_id in ids:
        node = await block_named(ls, block_id)
        change = _checked(ls.api.fresh_change, node.path, "".join(ls.lines_of(node.path)))
        if change is not None:
            builder.change_text(change.path, change.old_text, change.new_text)
    return await apply(ls, "Mark up to date", builder) if builder.operations else {"applied": False}


async def approve_command(ls: CinefileServer, *args) -> dict:
    """[id, optional sha256 (or its start), optional kind: image|video|audio]: the project
    API's `approval` of the block's open buffer (else its file), sent as an edit; without a
    hash, the newest asset of the kind not approved yet."""
    block_id, sha256, kind = (list(args) + [None, None, None])[:3]
    for name, value in (("sha256", sha256), ("kind", kind)):
        if value is not None and not isinstance(value, str):
            raise JsonRpcInvalidParams(f"expected {name} as a string, got {value!r}")
    node = await block_named(ls, block_id)
    approved, change = _checked(ls.api.approval, node.path, kind, sha256, "".join(ls.lines_of(node.path)))
    builder = EditBuilder(ls)
    if not builder.change_text(change.path, change.old_text, change.new_text):
        return {"applied": False, "approved": approved.to_json()}
    return await apply(ls, f"Approve {approved.role}", builder) | {"approved": approved.to_json()}


# The options `cinefile.export` takes, as the project API's `export` does, with each value's type.
EXPORT_OPTIONS = {"formats": list, "scene_numbers": bool, "lock_scene_numbers": bool, "embed_stills": bool,
                  "slates": bool}


def export_options(args) -> dict:
    """`cinefile.export`'s arguments as the API's options: `[{"formats": [...], "scene_numbers":
    true, ...}]`, or format names (`["fountain", "shotlist"]`); none for the default formats."""
    if not args:
        return {}
    if all(isinstance(arg, str) for arg in args):
        return {"formats": list(args)}
    if len(args) != 1 or not isinstance(args[0], dict):
        raise JsonRpcInvalidParams('expected format names, or options such as {"formats": ["fountain"], "scene_numbers": true}')
    options = args[0]
    for name, value in options.items():
        expected = EXPORT_OPTIONS.get(name)
        if expected is None:
            raise JsonRpcInvalidParams(f"unknown export option `{name}`; use {', '.join(EXPORT_OPTIONS)}")
        if not isinstance(value, expected) or (expected is list and not all(isinstance(v, str) for v in value)):
            what = "a list of format names" if expected is list else "true or false"
            raise JsonRpcInvalidParams(f"export option `{name}`: expected {what}")
    return options


async def export_command(ls: CinefileServer, *args) -> dict:
    """The project API's `export`: the same formats and options as `cinefile export`, with
    progress and cancellation. Scene numbers it locks go to the editor as one edit."""
    await project_open(ls)
    options = export_options(args)
    async with Work(ls, "Exporting") as work:

        async def send(changes) -> None:
            builder = EditBuilder(ls)
            for change in changes:
                builder.change_text(change.path, change.old_text, change.new_text)
            await apply(ls, "Lock scene numbers", builder)

        def to_editor(changes) -> None:  # from the export's thread: the edit is sent from the loop
            asyncio.run_coroutine_threadsafe(send(changes), work.loop).result()

        def report(step: str, done: float, total: float) -> None:
            work.report(step, round(100 * done / total) if total else None)

        try:
            result = await work.run(lambda: ls.api.export(
                **options, progress=report, cancel=work.cancel, text_of=lambda path: "".join(ls.lines_of(path)),
                write=to_editor))
        except UserError as error:
            raise JsonRpcInvalidParams(str(error)) from None
    for skipped in result.skipped:
        ls.notify_user(f"cinefile: {skipped.reason}", types.MessageType.Warning)
    return result.to_json()


IMPORT = "cinefile.import"
IMPORT_OPTIONS = ("dry_run", "prune", "overwrite")  # as the project API's `import_fountain` takes them


async def import_command(ls: CinefileServer, *args) -> dict:
    """`[path, {"dry_run": bool, "prune": bool, "overwrite": bool}]`: the project API's
    `import_fountain`, as `cinefile import` runs it. Its changes are written to disk through
    the guarded write (new blocks are open in no editor yet); the report says what was, or
    would be, created, updated and removed, and which scenes were kept as a person's text."""
    await project_open(ls)
    path, options = (list(args) + [None, None])[:2]
    options = {} if options is None else options
    if not isinstance(path, str) or not path:
        raise JsonRpcInvalidParams("expected the path of a .fountain screenplay")
    if not isinstance(options, dict) or set(options) - set(IMPORT_OPTIONS) or \
            not all(isinstance(value, bool) for value in options.values()):
        raise JsonRpcInvalidParams('expected options such as {"dry_run": true, "prune": false, "overwrite": false}')
    path = to_fs_path(path) if path.startswith("file:") else path
    async with Work(ls, "Importing") as work:
        try:
            report = await work.run(lambda: ls.api.import_fountain(path, **options))
        except UserError as error:
            raise JsonRpcInvalidParams(str(error)) from None
    return report.to_json()


async def blocks_command(ls: CinefileServer, *args) -> dict:
    """The project API's snapshot, for an editor's tree view and status bar: every block in
    story order with its state and assets, the mode and the spend. `cinefile snapshot`
    prints the same."""
    await project_open(ls)
    return (await asyncio.get_running_loop().run_in_executor(None, ls.api.snapshot)).to_json()


def set_keys_command(ls: CinefileServer, *args) -> dict:
    """[{"openrouter": key, "replicate": key}]: for this session only, kept in memory,
    never logged or written."""
    found = session_keys({"keys": args[0] if args else None})
    if not found:
        raise JsonRpcInvalidParams('expected {"openrouter": "...", "replicate": "..."}')
    ls.keys.update(found)
    return {"keys": sorted(ls.keys)}


def _checked(operation, *args):
    """An API operation's result, its UserError answered as the request's error."""
    try:
        return operation(*args)
    except UserError as error:
        raise JsonRpcInvalidParams(str(error)) from None
