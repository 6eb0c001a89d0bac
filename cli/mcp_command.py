"""`cinefile mcp`: the project as an MCP server on stdio, for AI clients (docs/agents.md).
The SDK is imported when it runs: every other command would pay for it at start."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import command


@command()
def mcp(
    folder: Annotated[Optional[Path], typer.Argument(metavar="DIR", help="The project (default: the one around "
                                                                         "the current folder).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what the server does to stderr.")] = False,
) -> None:
    """Serve the project to AI clients over MCP (Model Context Protocol) on
    stdio: resources (the project, blocks, story, stale blocks, shot list,
    ledger), tools (search, read, write, review, plan and run generation,
    export) and prompts.

    The client starts it; stdout carries the protocol, stderr the log.
    Generation states its cost, runs within the budget and asks first;
    without API keys it runs on the free mock. See docs/agents.md.

    Example:

        cinefile mcp ~/films/night-ferry
    """
    # Before the SDK configures its own: the log goes to stderr, one line each.
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="cinefile mcp: %(levelname)s %(name)s: %(message)s")
    from cinefile.daemon.api import ProjectAPI
    from cinefile.daemon.mcp import serve_stdio

    with ProjectAPI.open(folder) as api:
        watcher = api.watcher()
        watcher.start()  # edits made meanwhile (in an editor, by git) reach the index
        watcher.ready.wait()
        try:
            serve_stdio(api)
        finally:
            watcher.stop()
