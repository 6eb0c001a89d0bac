"""Every failure as one clear message, never a traceback: the project API's `UserError`s say
what went wrong and what to do, and they reach the client as they are; an argument that does
not fit a tool's schema becomes one line naming the argument; a bug becomes one line that
says so (and one line in the server's log, on stderr).

The SDK wraps what a tool, a resource or a prompt raises; `ProjectServer` (server.py) unwraps
it here. A write refused because the file changed (`WriteConflict`) is a tool error that
carries the file as it is now, so the client can show both versions.
"""

from __future__ import annotations

import logging

from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError, ToolError
from mcp_types import INVALID_PARAMS, CallToolResult, ErrorData, TextContent
from pydantic import ValidationError

from ..api import NoSuchBlock, WriteConflict
from ..errors import UserError

_log = logging.getLogger("cinefile.mcp")


def original(error: BaseException) -> BaseException:
    """What was raised inside the tool, resource or prompt, under the SDK's wrappers."""
    while error.__cause__ is not None and not isinstance(error, (UserError, ValidationError)):
        error = error.__cause__
    return error


def message_of(error: BaseException, where: str) -> str:
    """One line for the client: a UserError's own, the arguments that did not fit, or an
    internal error (logged here, by type only: its text may quote anything)."""
    cause = original(error)
    if isinstance(cause, UserError):
        return str(cause)
    if isinstance(cause, ValidationError):
        return "; ".join(_argument_problem(problem) for problem in cause.errors(include_url=False))
    if isinstance(cause, (ToolError, ResourceError, ValueError)) and cause is error:
        return str(error)  # the SDK's own: an unknown tool, resource or prompt, a missing argument
    _log.error("%s: internal error: %s", where, type(cause).__name__)
    return f"internal error ({type(cause).__name__}): please report it"


def _argument_problem(problem: dict) -> str:
    where = ".".join(str(part) for part in problem.get("loc", ())) or "arguments"
    return f"argument `{where}`: {problem.get('msg', 'not valid')}"


def tool_failure(name: str, error: BaseException) -> CallToolResult:
    """A tool's failure as its result (`is_error`): the message, and for a refused write the
    file as it is on disk now, with its hash to write against."""
    cause = original(error)
    message = f"{name}: {message_of(error, name)}"
    if isinstance(cause, WriteConflict):
        current = {"path": cause.path, "current_hash": cause.current_hash, "current_text": cause.current_text}
        content = [TextContent(type="text", text=message)]
        if cause.current_text is not None:
            content.append(TextContent(type="text", text=cause.current_text))
        return CallToolResult(content=content, structured_content={"error": message, **current}, is_error=True)
    return CallToolResult(content=[TextContent(type="text", text=message)], is_error=True)


def resource_failure(uri: str, error: BaseException) -> ResourceError:
    """A resource read's failure: not found (a block id no block has), or refused."""
    message = f"{uri}: {message_of(error, uri)}"
    return ResourceNotFoundError(message) if isinstance(original(error), NoSuchBlock) else ResourceError(message)


def prompt_failure(name: str, error: BaseException) -> ErrorData:
    """A prompt that cannot be made (a block that is not there, or not of the right type)."""
    return ErrorData(code=INVALID_PARAMS, message=f"{name}: {message_of(error, name)}")
