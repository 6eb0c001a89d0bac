"""Symbols: a block's frontmatter keys and Markdown headings (document), and every block
in the project by title and id with fuzzy matching (workspace)."""

from __future__ import annotations

import re

from lsprotocol import types

from cinefile.format.problems import Range

from .cursor import frontmatter_end
from .positions import to_client_range
from .server import CinefileServer

MAX_WORKSPACE_SYMBOLS = 100
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_PHASE_KINDS = {"Story": types.SymbolKind.String, "Design": types.SymbolKind.Object, "Shooting": types.SymbolKind.Event}


def document_symbols(ls: CinefileServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol] | None:
    node, lines = ls.document_node(params.text_document.uri)
    if node is None:
        return None
    codec = ls.workspace.position_codec

    def symbol(name: str, detail: str, kind: types.SymbolKind, where: Range, children=None) -> types.DocumentSymbol:
        client = to_client_range(codec, lines, where)
        return types.DocumentSymbol(name=name, detail=detail, kind=kind, range=client, selection_range=client,
                                    children=children or [])

    found = []
    closing = frontmatter_end(lines)
    if closing is not None and node.block is not None:
        keys = [symbol(key, _short(value), types.SymbolKind.Property, node.block.key_ranges[key])
                for key, value in node.block.frontmatter.items() if key in node.block.key_ranges]
        end = Range.of(0, 0, closing, len(lines[closing].rstrip("\r\n")) if closing < len(lines) else 0)
        found.append(symbol(node.title, f"{node.type} · {node.id}", _PHASE_KINDS.get(node.phase, types.SymbolKind.File), end, keys))
    stack: list[tuple[int, types.DocumentSymbol]] = []
    for number in range((closing or -1) + 1, len(lines)):
        match = _HEADING.match(lines[number].rstrip("\r\n"))
        if not match:
            continue
        level = len(match.group(1))
        heading = symbol(match.group(2), "", types.SymbolKind.Namespace, Range.of(number, 0, number, len(lines[number].rstrip("\r\n"))))
        while stack and stack[-1][0] >= level:
            stack.pop()
        (stack[-1][1].children if stack else found).append(heading)
        stack.append((level, heading))
    return found


def _short(value) -> str:
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def fuzzy_score(query: str, text: str) -> int | None:
    """A subsequence match: None when the letters of `query` are not all in `text` in
    order; lower is better (matches early and close together)."""
    position, score, previous = 0, 0, -1
    for char in query:
        found = text.find(char, position)
        if found < 0:
            return None
        score += found - previous - 1
        previous, position = found, found + 1
    return score


def workspace_symbols(ls: CinefileServer, params: types.WorkspaceSymbolParams) -> list[types.WorkspaceSymbol]:
    if not ls.ready.is_set():
        return []
    query = params.query.lower().replace(" ", "")
    ranked = []
    for node in ls.model.nodes.values():
        text = f"{node.title} {node.id}".lower().replace(" ", "")
        score = fuzzy_score(query, text) if query else 0
        if score is not None:
            ranked.append((score, len(text), node.path, node))  # closer, then shorter, wins
    ranked.sort(key=lambda item: item[:3])
    return [types.WorkspaceSymbol(
        name=node.title, kind=_PHASE_KINDS.get(node.phase, types.SymbolKind.File), container_name=f"{node.type} · {node.id}",
        location=types.Location(uri=ls.uri_of(node.path), range=types.Range(start=types.Position(line=0, character=0),
                                                                             end=types.Position(line=0, character=0))))
        for *_, node in ranked[:MAX_WORKSPACE_SYMBOLS]]
