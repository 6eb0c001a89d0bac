"""The project as an MCP server (Model Context Protocol), over stdio, for AI clients: desktop
assistants and editors start `cinefile mcp DIR` themselves and talk to it on its stdin and
stdout. Built on the official MCP Python SDK (`mcp`, its `MCPServer`).

- resources.py: the project, each block, the story, stale blocks, the shot list, the ledger;
- tools.py: search, read, create and write blocks, dependencies, impact, review, export;
- generation.py, confirmation.py: plan a generation with its cost; run one within the budget,
  once confirmed (elicitation, or `confirm_cost`);
- prompts.py: develop a scene, break it into shots, check a character's continuity;
- errors.py: every failure as one clear message; server.py puts it together.

Like every front end it converts arguments in and results out, and holds no rules: everything
goes through one `ProjectAPI`, whose guarded write keeps history and refuses stale writes.
"""

from __future__ import annotations

from .server import ProjectServer, create_server

__all__ = ["ProjectServer", "create_server", "serve_stdio"]


def serve_stdio(api) -> None:
    """Serve the open project on stdin and stdout until the client closes them."""
    create_server(api).run("stdio")
