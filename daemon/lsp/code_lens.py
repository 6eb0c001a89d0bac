"""Code lens on the frontmatter: how many blocks are made from this one, its state, and
the actions that fit it: mark up to date, and generate with its estimated cost."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from cinefile.format.stale import FRESH

from .commands import MARK_FRESH
from .generation import GENERATE, cheapest_estimate, kinds_for
from .server import CinefileServer

LENS_RANGE = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=3))


async def code_lens(ls: CinefileServer, params: types.CodeLensParams) -> list[types.CodeLens] | None:
    node, _ = ls.document_node(params.text_document.uri)
    if node is None or node.block is None or not node.block.readable:
        return None
    dependents = len(ls.model.dependents(node.id))
    state = ls.model.staleness(node).state
    parts = [f"{dependents} dependent{'s' if dependents != 1 else ''}", state]
    command = None
    if state != FRESH:
        parts.append("Mark up to date")
        command = MARK_FRESH
    found = [types.CodeLens(range=LENS_RANGE, command=types.Command(title=" · ".join(parts), command=command or "",
                                                                   arguments=[node.id]))]
    kinds = kinds_for(node.type)
    owns_id = ls.model.owns(node)
    cost = await asyncio.get_running_loop().run_in_executor(None, cheapest_estimate, ls, node) if owns_id else None
    if cost is not None:
        found.append(types.CodeLens(range=LENS_RANGE, command=types.Command(
            title=f"Generate ({cost})", command=GENERATE, arguments=[node.id, kinds[0], "draft"])))
    return found
