"""The HTTP API (`cinefile serve`'s) under `/api` in the studio's own process, so that one
command gives both. It serves the same LiveProject the pages use, so its event stream hears
the studio's watcher, and it is built at its first request: the folder may become a project
only once the start page has made one."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from cinefile.daemon.project import find_root


class ProjectHttpApi:
    """An ASGI app: the project's HTTP API once the folder holds a project, a problem
    document (404) before. `token` is what every request must send as `Authorization: Bearer`."""

    def __init__(self, folder: Path, *, token: str, hosts: list[str]) -> None:
        self.folder, self.token, self.hosts = folder, token, hosts
        self.app = None
        self._building = asyncio.Lock()
        self._lifespans = contextlib.AsyncExitStack()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return  # Mount passes no lifespan to its app: `close` ends it
        app = self.app or await self._build()
        if app is None:
            if scope["type"] == "websocket":
                return await send({"type": "websocket.close", "code": 1008})
            return await _no_project(send, self.folder)
        await app(scope, receive, send)

    async def _build(self):
        async with self._building:
            if self.app is None and find_root(self.folder) is not None:
                from cinefile.daemon.http import create_app
                from cinefile.studio.context import live_project_at

                live = await run_in_threadpool(live_project_at, find_root(self.folder))
                app = create_app(live.api, token=self.token, allowed_hosts=self.hosts, watch=False)
                await self._lifespans.enter_async_context(app.router.lifespan_context(app))
                self.app = app
        return self.app

    async def close(self) -> None:
        """End open event streams, then the app's lifespan (its jobs), when the studio stops."""
        if self.app is not None:
            self.app.state.cinefile.close_streams()
        await self._lifespans.aclose()


async def _no_project(send, folder: Path) -> None:
    body = json.dumps({"type": "about:blank", "title": "No project", "status": 404,
                       "detail": f"{folder} holds no cinefile project yet: make one in the studio's start page "
                                 "or with `cinefile init`"}).encode()
    await send({"type": "http.response.start", "status": 404,
                "headers": [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
