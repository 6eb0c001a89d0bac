"""What routes ask FastAPI for: the server's state (the project API, the event hub, the
jobs), the paid providers' keys of this request, and a block id in the path."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from cinefile.format.block import ID_PATTERN
from fastapi import Depends, Path, Request

from ..api import ProjectAPI
from .events import EventHub
from .jobs import Jobs
from .project_feed import ProjectFeed

# Header -> provider. Keys live for the request (or the job it starts), never longer.
KEY_HEADERS = {"X-OpenRouter-Key": "openrouter", "X-Replicate-Key": "replicate"}


@dataclass
class ServerState:
    """One per app: everything the routes share; `close_streams` ends streams and jobs at shutdown."""

    api: ProjectAPI
    events: EventHub
    jobs: Jobs
    feed: ProjectFeed
    watcher: object | None = field(default=None)

    def start_watching(self) -> None:
        """Start the project API's watcher, so edits on disk become events; return once its
        catch-up sync is done, so requests see the files as they are. Raises UserError when
        the folder cannot be watched."""
        watcher = self.api.watcher()
        watcher.start()
        watcher.ready.wait()
        self.watcher = watcher

    def close_streams(self) -> None:
        """End every event stream and cancel running jobs, so a shutdown need not wait on them."""
        self.events.close()
        self.jobs.cancel_all()


async def server_state(request: Request) -> ServerState:
    return request.app.state.cinefile


async def project_api(request: Request) -> ProjectAPI:
    return request.app.state.cinefile.api


async def request_keys(request: Request) -> dict[str, str]:
    """The provider keys sent with this request (they win over the server's environment: the
    project API's rule). Read here, by name, so no validation error can ever echo one."""
    return {provider: request.headers[name].strip() for name, provider in KEY_HEADERS.items()
            if request.headers.get(name, "").strip()}


Api = Annotated[ProjectAPI, Depends(project_api)]
State = Annotated[ServerState, Depends(server_state)]
Keys = Annotated[dict[str, str], Depends(request_keys)]
BlockRef = Annotated[str, Path(pattern=ID_PATTERN.pattern, max_length=200, description="a block id, e.g. `scene-1`")]
