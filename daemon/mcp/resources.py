"""What a client can read: the project at a glance, each block with its state and problems,
the story in order, the stale blocks and why, the shot list and the ledger."""

from __future__ import annotations

import json

from mcp.server.mcpserver import MCPServer

from ..api import NoSuchBlock, ProjectAPI
from ..errors import UserError
from .markdown import BLOCK_URI, card_markdown, outline_markdown, stale_markdown, status_markdown

MARKDOWN, CSV, JSON = "text/markdown", "text/csv", "application/json"


def block_markdown(api: ProjectAPI, ref: str) -> str:
    """A block's card and file; a file that cannot be read as text still has its card."""
    try:
        current = api.read(ref)
    except NoSuchBlock:
        raise
    except UserError:  # not UTF-8, say: the card says what is wrong with it
        return card_markdown(api.card(ref), None)
    return card_markdown(api.card(current.path), current.text)


def story_markdown(api: ProjectAPI) -> str:
    blocks = api.blocks(phase="story")
    return outline_markdown(f"{api.project.config.name}: the story", [(b, api.card(b.path).body) for b in blocks])


def add_resources(server: MCPServer, api: ProjectAPI) -> None:
    @server.resource("cinefile://project", name="project", title="The project at a glance", mime_type=MARKDOWN,
                     description="Name, mode, blocks by phase and type, stale and broken blocks, problems, spend.")
    def project() -> str:
        return status_markdown(api.status(), api.budget())

    @server.resource(BLOCK_URI, name="block", title="A block", mime_type=MARKDOWN,
                     description="One block by id: its type, state and why, problems, links, and its whole file.")
    def block(block_id: str) -> str:
        return block_markdown(api, block_id)

    @server.resource("cinefile://story", name="story", title="The story in order", mime_type=MARKDOWN,
                     description="Logline, concept, outline, acts, beats and scenes in story order, each with its text.")
    def story() -> str:
        return story_markdown(api)

    @server.resource("cinefile://stale", name="stale", title="Stale blocks and why", mime_type=MARKDOWN,
                     description="Every block made from a block that changed since, with what changed.")
    def stale() -> str:
        return stale_markdown(api.status())

    @server.resource("cinefile://shots", name="shots", title="The shot list", mime_type=CSV,
                     description="One row per shot in film order: scene, shot, framing, lens, cast, duration, state.")
    def shots() -> str:
        return next(iter(api.render("shotlist").values()))

    @server.resource("cinefile://ledger", name="ledger", title="What generation has cost", mime_type=JSON,
                     description="The ledger of paid calls (mock and cached results are free), totals by mode, "
                                 "provider, kind and block, and the budget.")
    def ledger() -> str:
        return json.dumps({"summary": api.cost(), "budget": api.budget().to_json(), "calls": api.ledger()},
                          indent=2, ensure_ascii=False)
