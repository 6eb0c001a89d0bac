"""Which handler serves which LSP method: the one place that wires the modules to the server."""

from __future__ import annotations

import inspect

from lsprotocol import types

from . import (api_commands, code_actions, code_lens, commands, completion, diagnostics, documents, generation, hover, lifecycle, navigation,
               rename, symbols)
from .code_actions import BLOCK_ACTION
from .server import CinefileServer


def when_ready(handler):
    """Requests that come while the server opens its project and loads the model wait for
    it, instead of answering empty."""

    async def run(ls: CinefileServer, params):
        await ls.started()
        result = handler(ls, params)
        return await result if inspect.isawaitable(result) else result

    run.__name__ = handler.__name__
    return run


def create_server() -> CinefileServer:
    server = CinefileServer()
    server.publisher = diagnostics.Publisher(server)
    feature = server.feature
    feature(types.INITIALIZE)(lifecycle.initialize)
    feature(types.INITIALIZED)(lifecycle.initialized)
    feature(types.SHUTDOWN)(lifecycle.shutdown)
    feature(types.TEXT_DOCUMENT_DID_OPEN)(documents.did_open)
    feature(types.TEXT_DOCUMENT_DID_CHANGE)(documents.did_change)
    feature(types.TEXT_DOCUMENT_DID_CLOSE)(documents.did_close)
    feature(types.TEXT_DOCUMENT_DIAGNOSTIC, types.DiagnosticOptions(
        identifier="cinefile", inter_file_dependencies=True, workspace_diagnostics=False))(when_ready(diagnostics.pull))
    feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=completion.TRIGGERS))(when_ready(completion.complete))
    feature(types.TEXT_DOCUMENT_HOVER)(when_ready(hover.hover))
    feature(types.TEXT_DOCUMENT_DEFINITION)(when_ready(navigation.definition))
    feature(types.TEXT_DOCUMENT_REFERENCES)(when_ready(navigation.references))
    feature(types.TEXT_DOCUMENT_PREPARE_RENAME)(when_ready(rename.prepare_rename))
    feature(types.TEXT_DOCUMENT_RENAME, types.RenameOptions(prepare_provider=True))(when_ready(rename.rename))
    feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)(when_ready(symbols.document_symbols))
    feature(types.WORKSPACE_SYMBOL)(when_ready(symbols.workspace_symbols))
    feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))(when_ready(code_lens.code_lens))
    feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, BLOCK_ACTION, generation.GENERATE_ACTION]))(when_ready(code_actions.code_actions))
    server.command(commands.SYNC)(commands.sync_command)
    server.command(generation.GENERATE)(generation.generate_command)
    server.command(commands.MARK_FRESH)(commands.mark_fresh_command)
    server.command(commands.APPROVE)(commands.approve_command)
    server.command(commands.EXPORT)(commands.export_command)
    server.command(commands.IMPORT)(commands.import_command)
    server.command(commands.SET_KEYS)(commands.set_keys_command)
    server.command(commands.BLOCKS)(commands.blocks_command)
    api_commands.register(server)
    return server
