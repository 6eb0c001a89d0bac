"""Errors in one shape: RFC 9457 problem details (`application/problem+json`), each with a
detail that says what went wrong and what to do. Never a traceback, never a 500 for bad input.

The project API's errors map to statuses here, and only here: NoSuchBlock 404, WriteConflict
412 on a write conditioned by If-Match (409 otherwise), any other UserError 422.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response

from ..api import NoSuchBlock, WriteConflict
from ..errors import UserError

PROBLEM_TYPE = "application/problem+json"
_log = logging.getLogger("cinefile.http")


class Problem(BaseModel):
    """RFC 9457 problem details; some problems add members (a write conflict: the file now)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str

    model_config = {"extra": "allow"}


class NotFound(UserError):
    """Something the HTTP API names (a job, an export file, an asset) is not there: 404."""


class PreconditionRequired(UserError):
    """A write came without If-Match: 428."""


class Unsupported(UserError):
    """A body in a media type this route does not take: 415."""


class RangeRefused(UserError):
    """A byte range outside the file: 416, with the file's size in Content-Range."""

    def __init__(self, message: str, size: int) -> None:
        super().__init__(message)
        self.size = size


# status -> (type slug, title). The type is a URN documented in docs/http-api.md.
KINDS = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Missing or wrong token"),
    403: ("forbidden-host", "Host not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    409: ("conflict", "Conflict with the files on disk"),
    412: ("write-conflict", "The file changed since it was read"),
    413: ("too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    416: ("range-not-satisfiable", "Range not satisfiable"),
    422: ("refused", "Request refused"),
    428: ("precondition-required", "If-Match required"),
    500: ("internal-error", "Internal error"),
}


def problem(status: int, detail: str, instance: str, *, headers: dict[str, str] | None = None,
            **extra: Any) -> Response:
    slug, title = KINDS.get(status, ("error", "Error"))
    body = {"type": f"urn:cinefile:problem:{slug}", "title": title, "status": status, "detail": detail,
            "instance": instance, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_TYPE, headers=headers)


def problem_responses(*statuses: int) -> dict[int | str, dict]:
    """OpenAPI entries for the problems a route may answer with."""
    content = {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    return {status: {"description": KINDS[status][1], "content": content} for status in statuses}


def _instance(request: Request) -> str:
    return request.url.path


def _conditional(request: Request) -> bool:
    return "if-match" in request.headers


def _write_conflict(request: Request, error: WriteConflict) -> Response:
    status = 412 if _conditional(request) else 409
    return problem(status, str(error), _instance(request), path=error.path, current_hash=error.current_hash,
                   current_text=error.current_text)


def _user_error(request: Request, error: UserError) -> Response:
    if isinstance(error, (NoSuchBlock, NotFound)):
        return problem(404, str(error), _instance(request))
    if isinstance(error, PreconditionRequired):
        return problem(428, str(error), _instance(request))
    if isinstance(error, Unsupported):
        return problem(415, str(error), _instance(request))
    if isinstance(error, RangeRefused):
        return problem(416, str(error), _instance(request), headers={"Content-Range": f"bytes */{error.size}"})
    return problem(422, str(error), _instance(request))


def _where(location: tuple) -> str:
    return ".".join(str(part) for part in location)


def _invalid(request: Request, error: RequestValidationError) -> Response:
    # The input is not echoed: it may be long, or a secret sent in the wrong place.
    errors = [{"where": _where(e.get("loc", ())), "message": e.get("msg", "")} for e in error.errors()]
    detail = "; ".join(f"{e['where']}: {e['message']}" for e in errors) or "the request is not valid"
    return problem(422, f"{detail}: see /api/docs for what this route takes", _instance(request), errors=errors)


def http_problem(request: Request, error: HTTPException) -> Response:
    """An HTTP error (no route, wrong method, a body that is not JSON) as a problem; also for
    the app that mounts this one, for paths that never reach it."""
    detail = error.detail if isinstance(error.detail, str) else KINDS.get(error.status_code, ("", "error"))[1]
    if error.status_code == 400:  # FastAPI's answer to a body that is not JSON: bad input, like any other
        return problem(422, f"{detail}: send JSON as this route's schema says (see /api/docs)", _instance(request))
    if error.status_code == 404 and detail == "Not Found":
        detail = f"no route {request.url.path}: see /api/docs for the routes"
    elif error.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}: see /api/docs for the methods it takes"
    return problem(error.status_code, detail, _instance(request), headers=getattr(error, "headers", None))


def _internal(request: Request, error: Exception) -> Response:
    _log.error("internal error on %s %s: %s", request.method, request.url.path, type(error).__name__)
    return problem(500, f"an internal error in cinefile ({type(error).__name__}): please report it; "
                        "the request may be retried", _instance(request))


def install(app: FastAPI) -> None:
    """Answer every error as a problem document."""
    app.add_exception_handler(WriteConflict, _write_conflict)
    app.add_exception_handler(UserError, _user_error)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(HTTPException, http_problem)
    app.add_exception_handler(Exception, _internal)
