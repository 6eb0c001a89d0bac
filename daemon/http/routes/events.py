"""`GET /api/events`: Server-Sent Events of sync batches, block states, problems and job
progress, each with an id; send `Last-Event-ID` to resume after a lost connection."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import StreamingResponse

from ..deps import State

router = APIRouter(tags=["events"])
STREAM_DOC = {"parameters": [{"name": "Last-Event-ID", "in": "header", "required": False, "schema": {"type": "string"},
                              "description": "the id of the last event received, to resume after it"}]}


@router.get("/events", response_class=StreamingResponse, openapi_extra=STREAM_DOC,
            responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}},
                             "description": "events: sync, state, problems, job, reset; `: heartbeat` comments"}},
            summary="Live events (Server-Sent Events), resumable with Last-Event-ID")
async def events(request: Request, state: State) -> StreamingResponse:
    given = request.headers.get("last-event-id", "").strip()
    # An id this server never gave (not a number) resumes nowhere: the stream starts with `reset`.
    last = (int(given) if given.isdigit() else -1) if given else None
    return StreamingResponse(state.events.stream(last), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
