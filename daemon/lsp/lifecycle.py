"""Start and stop: open the project the workspace names, load the model, keep it in line
with the disk, and let go of everything promptly on shutdown."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from .server import CinefileServer, log


def session_keys(options) -> dict[str, str]:
    """API keys from initializationOptions `{"keys": {...}}`: kept in memory only."""
    keys = options.get("keys") if isinstance(options, dict) else None
    return {str(k): str(v) for k, v in keys.items() if v} if isinstance(keys, dict) else {}


def initialize(ls: CinefileServer, params: types.InitializeParams) -> None:
    ls.keys.update(session_keys(params.initialization_options))
    ls.workspace_paths = ls.folders(params)


async def initialized(ls: CinefileServer, params: types.InitializedParams) -> None:
    ls.loop = asyncio.get_running_loop()
    message = ls.open_project(ls.workspace_paths)
    if message is not None:
        ls.notify_user(message, types.MessageType.Warning)  # said once; then the server stays quiet
        ls.drop_first_index()
        ls.ready.set()  # no project: requests waiting for one answer empty
        return
    try:
        await ls.loop.run_in_executor(None, ls.load)
    except Exception as error:  # an unreadable index, say: answer empty rather than hang
        log.exception("cannot load the project")
        ls.notify_user(f"cinefile: cannot load {ls.project.root}: {error}", types.MessageType.Error)
        ls.project = None
        return
    finally:
        ls.ready.set()  # requests waiting for the model go ahead either way
    ls.publisher.project_changed()
    # In a thread: starting the watcher took 0.3 s at 10,000 blocks, and the first
    # diagnostics waited for it (measured).
    message = await ls.loop.run_in_executor(None, ls.watch)
    if message is not None:
        ls.notify_user(message, types.MessageType.Warning)


def shutdown(ls: CinefileServer, params: None) -> None:
    log.info("shutting down")
    ls.stop()
