"""`cinefile lsp`: the language server, for any editor that speaks LSP."""

from __future__ import annotations

import logging
from typing import Annotated, Optional

import typer

from .common import command


@command()
def lsp(
    tcp: Annotated[Optional[int], typer.Option("--tcp", metavar="PORT", help="Listen on this TCP port instead of stdio.")] = None,
    host: Annotated[str, typer.Option(help="Address to listen on with --tcp.")] = "127.0.0.1",
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what the server does to stderr.")] = False,
) -> None:
    """Run the language server on stdio: completions, diagnostics, hovers, code actions.

    The editor starts it; it opens the project its workspace folder names. See docs/lsp.md.

    Example:

        cinefile lsp            # from the editor's server settings
        cinefile lsp --tcp 2087 # for an editor that connects to a port
    """
    from cinefile.daemon.lsp.features import create_server  # pygls loads only for this command

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="cinefile lsp: %(levelname)s %(message)s")
    server = create_server()
    server.fork_first_index()  # now, while this process has one thread
    if tcp is not None:
        server.start_tcp(host, tcp)
    else:
        server.start_io()
