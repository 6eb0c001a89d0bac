"""Code actions: quick fixes (the closest id or type for a misspelt one, create a missing
block from its type's template, add a mentioned block to `dependencies`, keep one side of a
merge conflict) and the block's own
actions (mark up to date, approve a still, generate). Each edits through a WorkspaceEdit."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from cinefile.format import conflicts
from cinefile.format.catalog import TYPE_NAMES
from cinefile.format.links import Suggestions, suggestion_for
from cinefile.format.parse import closest
from cinefile.format.stale import FRESH

from ..errors import UserError
from .cursor import cursor_at
from .diagnostics import block_problems
from .edits import EditBuilder, client_edits_files
from .generation import generate_actions
from .model import Node
from .positions import contains, from_client
from .server import CinefileServer, log

QUICK_FIX = types.CodeActionKind.QuickFix
BLOCK_ACTION = "refactor.rewrite.cinefile"  # a kind under refactor, so editors list it with the others


async def code_actions(ls: CinefileServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    node, lines = ls.document_node(params.text_document.uri)
    if node is None or node.block is None:
        return None
    codec = ls.workspace.position_codec
    start, end = from_client(codec, lines, params.range.start), from_client(codec, lines, params.range.end)
    text = "".join(lines)
    actions = []
    for problem in block_problems(ls.model, node):
        if contains(problem.range, start) or contains(problem.range, end):
            actions += _fixes(ls, node, problem, lines)
    actions += _mention_fix(ls, node, text, start)
    actions += _block_actions(ls, node, text)
    # Costs are planned in a worker thread: with keys, planning may ask a provider for prices.
    return actions + await asyncio.get_running_loop().run_in_executor(None, generate_actions, ls, node)


def _action(title: str, kind, edit: types.WorkspaceEdit | None = None, command: types.Command | None = None,
            preferred: bool = False) -> types.CodeAction:
    return types.CodeAction(title=title, kind=kind, edit=edit, command=command, is_preferred=preferred or None)


def _fixes(ls: CinefileServer, node: Node, problem, lines) -> list[types.CodeAction]:
    actions = []
    if problem.code == "unknown-type":
        suggestion = closest(str(node.type).lower().replace(" ", "_").replace("-", "_"), TYPE_NAMES, cutoff=0.5)
        if suggestion:
            builder = EditBuilder(ls)
            builder.replace(node.path, problem.range, suggestion, lines)
            actions.append(_action(f"Change type to `{suggestion}`", QUICK_FIX, builder.build(), preferred=True))
    if problem.code == "unknown-ref":
        ref = next((r for r in node.refs if r.range == problem.range), None)
        if ref is None:
            return actions
        typed_ids = ((n.id, n.type) for owners in ls.model.by_id.values() for n in owners)
        suggestion = suggestion_for(node.type, ref, Suggestions(typed_ids))  # as the diagnostic says
        if suggestion:
            builder = EditBuilder(ls)
            builder.replace(node.path, ref.range, suggestion, lines)
            actions.append(_action(f"Change to `{suggestion}`", QUICK_FIX, builder.build(), preferred=True))
        actions += _create_missing(ls, node, ref)
    if problem.code == conflicts.CODE:
        actions += _keep_side(ls, node, problem, "".join(lines))
    return actions


def _keep_side(ls: CinefileServer, node: Node, problem, text: str) -> list[types.CodeAction]:
    """The fixes *Keep ours* and *Keep theirs* for the merge conflict at the problem: that
    side's lines stay, the markers and the other side go."""
    conflict = next((c for c in conflicts.find_conflicts(text) if c.start == problem.range.start.line), None)
    if conflict is None:
        return []
    actions = []
    for side in (conflicts.OURS, conflicts.THEIRS):
        builder = EditBuilder(ls)
        if builder.change_text(node.path, text, conflicts.keep(text, conflict, side)):
            actions.append(_action(f"Keep {side}", QUICK_FIX, builder.build()))
    return actions


def _create_missing(ls: CinefileServer, node: Node, ref) -> list[types.CodeAction]:
    if not client_edits_files(ls, "create"):
        return []
    actions = []
    for type_name, change in ls.api.missing_block_changes(ref.target, named_by=node.type, kind=ref.kind, relation=ref.relation):
        builder = EditBuilder(ls)
        builder.add(change)
        actions.append(_action(f"Create missing block `{ref.target}` ({type_name}, {change.path})", QUICK_FIX, builder.build()))
    return actions


def _mention_fix(ls: CinefileServer, node: Node, text: str, at) -> list[types.CodeAction]:
    """A block named in the body (by id) that is not among the block's inputs."""
    if at.line < node.block.body_line:
        return []
    word = cursor_at(text.splitlines(True), at).word.lower()
    if not word or word == node.id or word in node.inputs or ls.model.owner(word) is None:
        return []
    return _change_action(ls, f"Add `{word}` to dependencies", QUICK_FIX, lambda: ls.api.dependency_change(node.path, word, text=text))


def _block_actions(ls: CinefileServer, node: Node, text: str) -> list[types.CodeAction]:
    """Mark up to date (for a block not fresh) and approve each asset waiting, as the project
    API computes them from the buffer."""

    actions = []
    if ls.model.staleness(node).state != FRESH:
        actions += _change_action(ls, "Mark up to date", BLOCK_ACTION, lambda: ls.api.fresh_change(node.path, text))
    try:
        waiting = ls.api.awaiting_approval(node.path, text)
    except UserError:
        waiting = []  # a broken frontmatter: its diagnostics say so
    for role, sha in waiting:
        actions += _change_action(ls, f"Approve {role} {sha[:8]}", BLOCK_ACTION,
                                  lambda sha=sha: ls.api.approve_change(node.path, asset=sha, text=text))
    return actions


def _change_action(ls: CinefileServer, title: str, kind, compute) -> list[types.CodeAction]:
    """An action applying the project API's change, or none when the API refuses it."""
    try:
        change = compute()
    except UserError as error:
        log.info("%s: %s", title, error)
        return []
    builder = EditBuilder(ls)
    if change is None or not builder.change_text(change.path, change.old_text, change.new_text):
        return []
    return [_action(title, kind, builder.build())]
