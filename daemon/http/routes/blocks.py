"""Blocks: a filtered list with cursor pages, one block's card (its ETag the file's hash), and
the writes: the whole text replaced under If-Match, a new block from its type's template, a
block deleted (its versions stay in history: `undo` brings it back)."""

from __future__ import annotations

import base64
import binascii

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, Response

from ...api import NoSuchBlock, ProjectAPI, WriteConflict
from ...errors import UserError
from ..bodies import text_body, text_body_doc
from ..conditional import etag, if_match_base, not_modified
from ..deps import Api, BlockRef
from ..problems import problem_responses
from ..schemas import BlockCard, BlockPage, Deleted, NewBlock

router = APIRouter(tags=["blocks"])
MARKDOWN_BODY = text_body_doc("the whole Markdown file, frontmatter and body")
IF_MATCH_DOC = {"parameters": [{"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
                                "description": "the ETag a GET gave (`*`: whatever is there)"}]}
CARD_RESPONSES = {200: {"content": {"text/markdown": {"schema": {"type": "string"}}},
                        "description": "the card (JSON), or the file itself with `Accept: text/markdown`"},
                  304: {"description": "not modified (If-None-Match)"}}


@router.get("/blocks", response_model=BlockPage, responses=problem_responses(422),
            summary="Blocks matching every filter given, by path or in story order, a page at a time")
def list_blocks(api: Api, type: str | None = Query(None, max_length=40), phase: str | None = Query(None, max_length=40),
                tag: str | None = Query(None, max_length=200), state: str | None = Query(None, max_length=40),
                text: str | None = Query(None, max_length=500, description="in the id, title or body, ignoring case"),
                tree: bool = Query(False, description="story order: acts, beats, scenes, shots under their scene"),
                limit: int = Query(100, ge=1, le=1000),
                cursor: str | None = Query(None, max_length=1000, description="`next_cursor` of the page before"),
                ) -> Response:
    filters = {"type": type, "phase": phase, "tag": tag, "state": state, "text": text}
    if not tree:  # by path: the index reads just the page
        after = _decode(cursor)[1] if cursor else None
        found = api.blocks(**filters, tree=False, after=after, limit=limit + 1)
        page = found[:limit]
        next_cursor = _cursor(0, page[-1].path) if len(found) > limit else None
        return JSONResponse({"blocks": [b.to_json() for b in page], "total": api.count_blocks(**filters),
                             "next_cursor": next_cursor})
    blocks = api.blocks(**filters, tree=True)
    start = _start_of(cursor, [b.path for b in blocks]) if cursor else 0
    page = blocks[start:start + limit]
    end = start + len(page)
    next_cursor = _cursor(end, page[-1].path) if page and end < len(blocks) else None
    return JSONResponse({"blocks": [b.to_json() for b in page], "total": len(blocks), "next_cursor": next_cursor})


def _cursor(offset: int, last_path: str) -> str:
    return base64.urlsafe_b64encode(f"{offset}:{last_path}".encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[int, str]:
    """(offset, path of the last block) of a cursor this server gave."""
    try:
        offset, _, last_path = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().partition(":")
        return int(offset), last_path
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise UserError("cursor: not one this server gave: pass `next_cursor` from the page before, or start "
                        "again without it") from None


def _start_of(cursor: str, paths: list[str]) -> int:
    """Where the page after `cursor` starts: after the block it ended on, found again should
    blocks have come or gone since (at the same offset when that block is gone too)."""
    offset, last_path = _decode(cursor)
    if 0 < offset <= len(paths) and paths[offset - 1] == last_path:
        return offset
    return paths.index(last_path) + 1 if last_path in paths else max(0, min(offset, len(paths)))


def card_response(api: ProjectAPI, ref: str, request: Request, status: int = 200, headers: dict | None = None) -> Response:
    """The block's card with its file as read now; the ETag is that file's hash. A file that
    cannot be read as text (not UTF-8, say) still has its card, which says why, without it."""
    markdown = "text/markdown" in (accept := request.headers.get("accept", "")) and "json" not in accept
    try:
        current = api.read(ref)
    except NoSuchBlock:
        raise
    except UserError:
        if markdown:
            raise
        return JSONResponse(api.card(ref).to_json() | {"text": None}, status_code=status, headers=headers)
    tag = etag(current.file_hash)
    headers = {"ETag": tag, **(headers or {})}
    if status == 200 and not_modified(request, tag):
        return Response(status_code=304, headers=headers)
    if markdown:
        return Response(current.text, status_code=status, media_type="text/markdown; charset=utf-8", headers=headers)
    return JSONResponse(api.card(current.path).to_json() | {"text": current.text}, status_code=status, headers=headers)


@router.get("/blocks/{block_id}", response_model=BlockCard, responses={**CARD_RESPONSES, **problem_responses(404, 422)},
            summary="One block: fields, body, state and why, problems, links, assets, and its file")
def get_block(block_id: BlockRef, api: Api, request: Request) -> Response:
    return card_response(api, block_id, request)


@router.put("/blocks/{block_id}", response_model=BlockCard, openapi_extra=MARKDOWN_BODY | IF_MATCH_DOC,
            responses=problem_responses(404, 412, 413, 415, 422, 428),
            summary="Replace the block's whole text, if its file is still the one read (If-Match)")
async def put_block(block_id: BlockRef, api: Api, request: Request) -> Response:
    base = if_match_base(request)
    text = await text_body(request, "the block's Markdown")

    def write() -> Response:
        api.apply(api.replace_text(block_id, text, base))
        return card_response(api, block_id, request)

    return await run_in_threadpool(write)


@router.post("/blocks", status_code=201, response_model=BlockCard, responses=problem_responses(404, 409, 422),
             summary="Create a block from its type's template (under a parent of an allowed type)")
def new_block(body: NewBlock, api: Api, request: Request) -> Response:
    change = api.new_block(body.type, body.id, title=body.title, parent=body.parent)
    api.apply(change)
    key = api.card(change.path).id
    return card_response(api, change.path, request, 201, {"Location": f"{request.scope.get('root_path', '')}/blocks/{key}"})


@router.delete("/blocks/{block_id}", response_model=Deleted, openapi_extra=IF_MATCH_DOC,
               responses=problem_responses(404, 409, 412, 422),
               summary="Delete the block's file; its versions stay in history (POST .../undo brings it back)")
def delete_block(block_id: BlockRef, api: Api, request: Request) -> dict:
    change = api.delete_block(block_id)
    base = if_match_base(request) if "if-match" in request.headers else None
    if base is not None and base != change.base_hash:
        raise WriteConflict(f"{change.path}: changed on disk since it was read: nothing was deleted; read it again",
                            change.path, change.old_text, change.base_hash)
    api.apply(change)
    return {"id": block_id, "path": change.path,
            "message": f"deleted {change.path}; its versions are in history: "
                       f"POST /api/blocks/{block_id}/undo brings it back"}
