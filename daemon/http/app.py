"""The HTTP API as one FastAPI app over a project API: one more thin front end beside the
command line, the language server and the studio. Its routes are relative (`/blocks`), for
mounting under `/api`: `cinefile serve` does, and the studio can in its own process.

    app = create_app(api, token=token, allowed_hosts=loopback_hosts(port))
    Starlette(routes=[Mount("/api", app=app)], lifespan=lambda _: app.router.lifespan_context(app))

The lifespan (run by whoever mounts the app, as above) starts the project API's watcher, so
edits on disk become events, and stops it at the end; `app.state.cinefile.close_streams()`
ends the event streams and cancels jobs first, so a shutdown need not wait on them.
"""

from __future__ import annotations

import contextlib
from typing import AsyncIterator, Callable, Iterable

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware import Middleware

from ..api import ProjectAPI
from .deps import KEY_HEADERS, ServerState
from .docs_page import docs_page
from .events import HEARTBEAT_S, EventHub
from .guard import HostCheck, TokenCheck
from .jobs import Jobs
from .problems import Problem, install, problem_responses
from .project_feed import ProjectFeed
from .routes import ROUTERS
from .routes.project import HEALTH_PATH

DOCS_PATH, SCHEMA_PATH = "/docs", "/openapi.json"
OPEN_PATHS = (HEALTH_PATH, DOCS_PATH)  # no token: they hold no project data
JOB_WAIT_S = 10.0  # at shutdown, for cancelled jobs to finish their writes


def create_app(api: ProjectAPI, *, token: str | None, allowed_hosts: list[str], cors_origins: Iterable[str] = (),
               watch: bool = True, heartbeat: float = HEARTBEAT_S) -> FastAPI:
    """The app for `api`. `token`: what every request but the health check and the docs page
    must send as `Authorization: Bearer` (None: no check, for an embedding that guards itself).
    `allowed_hosts`: the Host headers answered (`loopback_hosts(port)`). `cors_origins`: web
    origins allowed to call it from a browser (none: CORS off). `watch`: start the project API's
    watcher in the lifespan (False where one runs already, as in the studio, or where the
    caller starts it with `app.state.cinefile.start_watching()`, to report a failure itself)."""
    middleware = [Middleware(HostCheck, allowed_hosts=allowed_hosts)]
    if cors_origins:  # before the token check: a browser's preflight carries no token
        middleware.append(Middleware(CORSMiddleware, allow_origins=list(cors_origins), allow_credentials=False,
                                     allow_methods=["GET", "POST", "PUT", "DELETE"],
                                     allow_headers=["Authorization", "Content-Type", "If-Match", "If-None-Match",
                                                    "Last-Event-ID", "Range", *KEY_HEADERS],
                                     expose_headers=["ETag", "Location", "Content-Range"]))
    middleware.append(Middleware(TokenCheck, token=token, open_paths=OPEN_PATHS))
    hub = EventHub(heartbeat=heartbeat)
    state = ServerState(api, hub, Jobs(api, hub.publish), ProjectFeed(api, hub))

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if watch:
            await run_in_threadpool(state.start_watching)
        try:
            yield
        finally:
            state.close_streams()
            await run_in_threadpool(_stop, state)

    app = FastAPI(title="cinefile HTTP API", version="1", lifespan=lifespan, middleware=middleware,
                  openapi_url=SCHEMA_PATH, docs_url=None, redoc_url=None,
                  description="A film project's blocks, history, generation, exports and live events. "
                              "Every request but /health and /docs needs `Authorization: Bearer TOKEN`.",
                  responses=problem_responses(401, 403, 404, 413, 500))
    app.state.cinefile = state
    install(app)
    for router in ROUTERS:
        app.include_router(router)

    @app.get(DOCS_PATH, include_in_schema=False)
    async def docs(request: Request):
        return docs_page(request.scope.get("root_path", "") + SCHEMA_PATH)

    app.openapi = _with_problem(app.openapi)
    return app


def _stop(state: ServerState) -> None:
    state.jobs.wait(JOB_WAIT_S)
    state.feed.close()
    if state.watcher is not None:
        state.watcher.stop()


def _with_problem(openapi: Callable[[], dict]) -> Callable[[], dict]:
    """FastAPI's schema, with the Problem document that the problem responses name."""

    def schema() -> dict:
        found = openapi()
        found.setdefault("components", {}).setdefault("schemas", {})["Problem"] = Problem.model_json_schema()
        return found

    return schema
