"""Code actions: quick fixes (the closest id or type for a misspelt one, create a missing
block from its type's template, add a mentioned block to `dependencies`) and the block's own
actions (mark up to date, approve a still, generate). Each edits through a WorkspaceEdit."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from cinefile.format.block import slugify
from cinefile.format.catalog import TYPE_NAMES, allowed_parents
from cinefile.format.parse import closest
from cinefile.format.stale import FRESH
from cinefile.format.templates import block_path, block_template

from .block_edits import ActionError, add_dependency_text, approve_text, fresh_text, unapproved_stills
from .cursor import cursor_at
from .diagnostics import block_problems
from .edits import EditBuilder, client_edits_files
from .generation import generate_actions
from .model import Node
from .positions import contains, from_client
from .server import CinefileServer, log

QUICK_FIX = types.CodeActionKind.QuickFix
BLOCK_ACTION = "refactor.rewrite.cinefile"  # a kind under refactor, so editors list it with the others
# The types a missing block most likely has, by the relation that names it.
TYPES_BY_RELATION = {"appears_in": ("character", "prop"), "set_in": ("location",), "wears": ("costume",),
                     "styled_by": ("style_guide",), None: ("character", "location", "prop")}


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
        suggestion = closest(ref.target, ls.model.by_id.keys())
        if suggestion:
            builder = EditBuilder(ls)
            builder.replace(node.path, ref.range, suggestion, lines)
            actions.append(_action(f"Change to `{suggestion}`", QUICK_FIX, builder.build(), preferred=True))
        actions += _create_missing(ls, node, ref)
    return actions


def _create_missing(ls: CinefileServer, node: Node, ref) -> list[types.CodeAction]:
    if not client_edits_files(ls, "create") or slugify(ref.target) != ref.target:
        return []
    candidates = allowed_parents(node.type) if ref.kind == "parent" else TYPES_BY_RELATION.get(ref.relation, TYPES_BY_RELATION[None])
    actions = []
    for type_name in candidates:
        rel = block_path(type_name, ref.target)
        if (ls.project.root / rel).exists():
            continue
        builder = EditBuilder(ls)
        builder.create(rel, block_template(type_name, ref.target))
        actions.append(_action(f"Create missing block `{ref.target}` ({type_name}, {rel})", QUICK_FIX, builder.build()))
    return actions


def _mention_fix(ls: CinefileServer, node: Node, text: str, at) -> list[types.CodeAction]:
    """A block named in the body (by id) that is not among the block's inputs."""
    if at.line < node.block.body_line:
        return []
    word = cursor_at(text.splitlines(True), at).word.lower()
    if not word or word == node.id or word in node.inputs or ls.model.owner(word) is None:
        return []
    return _text_action(ls, node, text, f"Add `{word}` to dependencies", QUICK_FIX, lambda t: add_dependency_text(t, word))


def _block_actions(ls: CinefileServer, node: Node, text: str) -> list[types.CodeAction]:
    actions = []
    if ls.model.staleness(node).state != FRESH:
        actions += _text_action(ls, node, text, "Mark up to date", BLOCK_ACTION, lambda t: fresh_text(ls.model, node, t))
    for sha in unapproved_stills(node):
        actions += _text_action(ls, node, text, f"Approve still {sha[:8]}", BLOCK_ACTION, lambda t, sha=sha: approve_text(node, t, sha))
    return actions


def _text_action(ls: CinefileServer, node: Node, text: str, title: str, kind, change) -> list[types.CodeAction]:
    try:
        new = change(text)
    except ActionError as error:
        log.info("%s: %s", title, error)
        return []
    builder = EditBuilder(ls)
    if not builder.change_text(node.path, text, new):
        return []
    return [_action(title, kind, builder.build())]
