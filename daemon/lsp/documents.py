"""Open buffers: each edit is parsed at once and laid over the index, so completion,
hover and the diagnostics of every other open block see it before it is saved."""

from __future__ import annotations

from lsprotocol import types

from .server import CinefileServer


async def did_open(ls: CinefileServer, params: types.DidOpenTextDocumentParams) -> None:
    await ls.started()
    uri = params.text_document.uri
    if ls.project is not None and ls.update_buffer(uri) is not None:
        ls.publisher.opened(uri)


async def did_change(ls: CinefileServer, params: types.DidChangeTextDocumentParams) -> None:
    await ls.started()
    uri = params.text_document.uri
    if ls.project is not None and ls.update_buffer(uri) is not None:
        ls.publisher.edited(uri)


async def did_close(ls: CinefileServer, params: types.DidCloseTextDocumentParams) -> None:
    await ls.started()
    uri = params.text_document.uri
    if ls.project is not None and ls.rel_path(uri) is not None:
        ls.close_buffer(uri)
        ls.publisher.closed(uri)
