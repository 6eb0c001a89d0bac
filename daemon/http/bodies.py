"""Request bodies that are text (a block's Markdown, a Fountain screenplay), not JSON."""

from __future__ import annotations

from fastapi import Request

from ..errors import UserError
from .problems import Unsupported

TEXT_TYPES = ("text/markdown", "text/plain", "text/x-markdown")


def text_body_doc(description: str, media_types: tuple[str, ...] = TEXT_TYPES[:2]) -> dict:
    """The OpenAPI request body of a route that reads `text_body`."""
    return {"requestBody": {"required": True, "description": description,
                            "content": {media: {"schema": {"type": "string"}} for media in media_types}}}


async def text_body(request: Request, what: str) -> str:
    """The body as text: any of TEXT_TYPES (or no Content-Type), UTF-8."""
    media = request.headers.get("content-type", "text/plain").split(";")[0].strip().lower()
    if media not in TEXT_TYPES:
        raise Unsupported(f"a body of {media[:80] or 'no type'}: send {what} as text/plain (or text/markdown), UTF-8")
    try:
        return (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"the body is not UTF-8 text: send {what} as UTF-8") from None
