"""The Dependencies page: the dependency graph, drawn (Graphviz in the browser: no program
needed on the server). The whole project as the API draws it, or one block (a scene, say):
what it is made from, all the way up, and what a change to it would make stale."""

from __future__ import annotations

import json

import streamlit as st

from cinefile.daemon.api import NoSuchBlock
from cinefile.daemon.errors import UserError
from cinefile.studio.context import show_error
from cinefile.studio.phase_page import followed_project

MAX_NODES = 300  # beyond this a drawing is a smudge (and slow in the browser): pick one block
STALE_FILL, FOCUS_FILL, MISSING_COLOUR = "#ffd7a8", "#cfe3ff", "#b3261e"
LEGEND = ("Arrows point from a block to what it is made from; dashed arrows to its parent. "
          "Orange: stale. Blue: the block chosen. Red outline: a block that does not exist.")


def quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a valid dot string: quotes, backslashes, newlines escaped


def neighbourhood(api, block_id: str) -> tuple[dict, set[str], list[str]]:
    """The cards of the block, of what it is made from (parents and dependencies, all the
    way up) and of what a change to it would make stale; the ids named but missing; and the
    ids that change would make stale (the API's impact)."""
    cards, missing, todo = {}, set(), [block_id]
    while todo and len(cards) < MAX_NODES:
        key = todo.pop()
        if key in cards or key in missing:
            continue
        try:
            card = cards[key] = api.card(key)
        except NoSuchBlock:
            missing.add(key)
            continue
        todo += ([card.parent] if card.parent else []) + [d["id"] for d in card.dependencies]
    impact = [block.id for block in api.impact(block_id)]
    for key in impact[:MAX_NODES]:
        if key not in cards:
            cards[key] = api.card(key)
    return cards, missing, impact


def block_dot(cards: dict, missing: set[str], focus: str) -> str:
    lines = ["digraph block {", "  rankdir=LR;",
             '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname=Helvetica];']
    for key, card in cards.items():
        fill = FOCUS_FILL if key == focus else STALE_FILL if card.state == "stale" else None
        style = f", fillcolor={quoted(fill)}" if fill else ""
        lines.append(f"  {quoted(key)} [label={quoted((card.title or key) + chr(10) + card.type)}{style}];")
    for key in sorted(missing):
        lines.append(f"  {quoted(key)} [label={quoted(key + chr(10) + 'missing')}, color={quoted(MISSING_COLOUR)}, "
                     "style=dashed];")
    shown = cards.keys() | missing
    for key, card in cards.items():
        if card.parent in shown:
            lines.append(f"  {quoted(key)} -> {quoted(card.parent)} [style=dashed];")
        for dependency in card.dependencies:
            if dependency["id"] in shown:
                label = f" [label={quoted(dependency['type'])}]" if dependency.get("type") else ""
                lines.append(f"  {quoted(key)} -> {quoted(dependency['id'])}{label};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def one_block(api, titles: dict[str, str]) -> None:
    block_id = st.selectbox("Block", list(titles), key="graph_block",
                            format_func=lambda key: f"{key} · {titles[key]}" if titles[key] else key)
    if not block_id:
        return
    cards, missing, impact = neighbourhood(api, block_id)
    st.caption(f"A change to `{block_id}` would make {len(impact)} blocks stale"
               + (f": {', '.join(impact[:20])}{' …' if len(impact) > 20 else ''}" if impact else "."))
    st.graphviz_chart(block_dot(cards, missing, block_id), width="stretch")


def whole_project(api, count: int) -> None:
    if count > MAX_NODES:
        st.info(f"{count} blocks are too many to draw at once: choose one block to see its graph.")
        return
    st.graphviz_chart(api.graph("dot"), width="stretch")


api = followed_project().api
st.title("Dependencies")
st.caption(LEGEND)
try:
    titles = {block.id: block.title for block in api.blocks()}
    scope = st.radio("Show", ["block", "project"], key="graph_scope", horizontal=True,
                     format_func={"block": "One block", "project": "The whole project"}.get)
    if scope == "project":
        whole_project(api, len(titles))
    else:
        one_block(api, titles)
except UserError as error:
    show_error(error)
