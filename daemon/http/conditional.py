"""ETags and the conditional headers: a block's ETag is the hash of its file's bytes, an
asset's its sha256; If-None-Match saves sending what a client has, If-Match guards a write."""

from __future__ import annotations

from fastapi import Request

from .problems import PreconditionRequired


def etag(file_hash: str) -> str:
    return f'"{file_hash}"'


def not_modified(request: Request, tag: str) -> bool:
    wanted = request.headers.get("if-none-match", "")
    return any(part.strip().removeprefix("W/") in (tag, "*") for part in wanted.split(",")) if wanted else False


def if_match_base(request: Request) -> str | None:
    """The file hash a write is conditioned on (None for `If-Match: *`: whatever is there).
    A value that is no ETag of ours simply never matches: the write gets 412."""
    value = request.headers.get("if-match")
    if value is None:
        raise PreconditionRequired("send If-Match with the ETag a GET of the block gave (or `*` to overwrite "
                                   "whatever is there): a write without it could undo someone else's")
    value = value.strip()
    return None if value == "*" else value.strip('"')
