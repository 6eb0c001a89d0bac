"""`workspace/executeCommand`: the same actions as the code actions, for key bindings and
command palettes. Changes to blocks are sent to the editor as WorkspaceEdits
(`workspace/applyEdit`); long work reports progress and can be cancelled."""

from __future__ import annotations

from cinefile.format.catalog import phase_rank
from cinefile.format.stale import STALE
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from ..errors import UserError
from ..exports.summary import export_project
from ..generate.ledger import Ledger
from .block_edits import ActionError, approve_text, fresh_text, unapproved_stills
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
    builder = EditBuilder(ls)
    for block_id in ids:
        node = await block_named(ls, block_id)
        text = "".join(ls.lines_of(node.path))
        builder.change_text(node.path, text, _checked(fresh_text, ls.model, node, text))
    return await apply(ls, "Mark up to date", builder) if builder.operations else {"applied": False}


async def approve_command(ls: CinefileServer, *args) -> dict:
    """[id, optional sha256 of the still]: the newest still waiting, unless one is named."""
    block_id, sha256 = (list(args) + [None, None])[:2]
    node = await block_named(ls, block_id)
    candidates = unapproved_stills(node)
    sha256 = sha256 or (candidates[-1] if candidates else None)
    if sha256 is None:
        raise JsonRpcInvalidParams(f"`{node.id}` has no still waiting for approval: generate one first")
    text = "".join(ls.lines_of(node.path))
    builder = EditBuilder(ls)
    builder.change_text(node.path, text, _checked(approve_text, node, text, sha256))
    return await apply(ls, "Approve still", builder)


async def export_command(ls: CinefileServer, *args) -> dict:
    await project_open(ls)
    async with Work(ls, "Exporting") as work:
        await work.run(ls.run_sync)
        try:
            written = await work.run(export_project, ls.project, ls.index)
        except UserError as error:
            raise JsonRpcInvalidParams(str(error)) from None
    return {"written": [str(path) for path in written]}


async def blocks_command(ls: CinefileServer, *args) -> dict:
    """Every block with its phase, state and assets, open buffers included, for an editor's
    tree view; with the project's mode and spend so far, for its status bar."""
    await project_open(ls)
    blocks = []
    for node in sorted(ls.model.nodes.values(), key=lambda n: (phase_rank(n.phase), n.path)):
        staleness = ls.model.staleness(node)
        assets = [{"sha256": a.get("sha256"), "role": a.get("role"), "approved": bool(a.get("approved"))}
                  for a in node.assets]
        blocks.append({"id": node.id, "type": node.type, "phase": node.phase, "title": node.title, "path": node.path,
                       "state": staleness.state, "stale_reason": staleness.reason if staleness.state == STALE else "",
                       "generated": bool(assets), "assets": assets})
    return {"root": str(ls.project.root), "mode": ls.project.config.mode,
            "spent_usd": round(Ledger(ls.project.assets).total(), 6), "blocks": blocks}



def set_keys_command(ls: CinefileServer, *args) -> dict:
    """[{"openrouter": key, "replicate": key}]: for this session only, kept in memory,
    never logged or written."""
    found = session_keys({"keys": args[0] if args else None})
    if not found:
        raise JsonRpcInvalidParams('expected {"openrouter": "...", "replicate": "..."}')
    ls.keys.update(found)
    return {"keys": sorted(ls.keys)}


def _checked(change, *args):
    try:
        return change(*args)
    except ActionError as error:
        raise JsonRpcInvalidParams(str(error)) from None
