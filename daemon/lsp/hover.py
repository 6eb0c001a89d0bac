"""Hover: a block's card on its id (title, type, first lines, stale state, its still), what
a type is for on `type:`, and on a block's own id what would go stale if it changed."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from cinefile.format.catalog import KNOWN_KEYS, TYPES
from cinefile.format.fields import TYPE_FIELDS
from cinefile.format.stale import FRESH

from ..generate.assets import AssetStore
from .model import Node
from .server import CinefileServer
from .targets import target_at

MAX_IMPACT_LISTED = 20


def hover(ls: CinefileServer, params: types.HoverParams) -> types.Hover | None:
    target, _ = target_at(ls, params.text_document.uri, params.position)
    if target is None:
        return None
    if target.block_id is not None:
        owner = target.node if target.own else ls.model.owner(target.block_id)
        text = impact_text(ls, target.node) if target.own else card_text(ls, owner)
    elif target.cursor.key == "type" or (target.cursor.at_key and target.cursor.word == "type"):
        text = type_text(target.node.type)
    elif target.cursor.at_key and target.cursor.word in KNOWN_KEYS:
        text = f"`{target.cursor.word}`: {KNOWN_KEYS[target.cursor.word]}"
    else:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text)) if text else None


def state_text(ls: CinefileServer, node: Node) -> str:
    state = ls.model.staleness(node)
    return state.state if state.state == FRESH else f"{state.state}: {state.reason}"


def card_text(ls: CinefileServer, node: Node | None) -> str | None:
    if node is None:
        return None
    parts = [f"**{node.title}** · `{node.id}` · {node.type or 'no type'}", f"*{state_text(ls, node)}*"]
    if node.head:
        parts.append(node.head)
    still = still_path(ls, node)
    if still is not None:
        parts.append(f"![still of {node.id}]({still.as_uri()})")
    return "\n\n".join(parts)


def still_path(ls: CinefileServer, node: Node) -> Path | None:
    """The block's still image: the approved one, else the latest."""
    stills = [a for a in node.assets if a.get("role") == "still" and isinstance(a.get("sha256"), str)]
    stills.sort(key=lambda a: bool(a.get("approved")))
    store = AssetStore(ls.project.root)
    for asset in reversed(stills):
        if (found := store.find(asset["sha256"])) is not None:
            return store.path_of(found)
    return None


def impact_text(ls: CinefileServer, node: Node) -> str:
    impacted = ls.model.impact(node.id)
    head = f"**{node.title}** · `{node.id}` · {node.type or 'no type'} · *{state_text(ls, node)}*"
    if not impacted:
        return f"{head}\n\nNothing is made from this block: changing it makes nothing stale."
    listed = "\n".join(f"- `{n.id}` ({n.type}) {n.title}" for n in impacted[:MAX_IMPACT_LISTED])
    more = f"\n- … and {len(impacted) - MAX_IMPACT_LISTED} more" if len(impacted) > MAX_IMPACT_LISTED else ""
    return f"{head}\n\nChanging this block would make {len(impacted)} block(s) stale:\n\n{listed}{more}"


def type_text(type_name: str) -> str | None:
    block_type = TYPES.get(type_name)
    if block_type is None:
        return f"`{type_name}` is not a type. Types: {', '.join(TYPES)}"
    parents = ", ".join(block_type.parents) or "none"
    fields = ", ".join(f"`{f}`" for f in TYPE_FIELDS.get(type_name, {})) or "none beyond `type`"
    return (f"**{type_name}** ({block_type.phase} phase)\n\n{block_type.description}\n\n"
            f"Parent may be: {parents}. Fields it needs: {fields}.")
