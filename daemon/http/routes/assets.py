"""Generated and supplied media by their sha256: the file with its type, cached for good (the
name is its hash, so it never changes), with byte ranges so that a video seeks."""

from __future__ import annotations

from pathlib import PurePosixPath

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from ..conditional import etag, not_modified
from ..deps import Api
from ..files import IMMUTABLE, file_inside, file_response
from ..problems import NotFound, problem_responses

router = APIRouter(tags=["assets"])


@router.get("/assets/{sha256}", responses={200: {"content": {"application/octet-stream": {}}, "description": "the file"},
                                           206: {"description": "the byte range asked for"},
                                           304: {"description": "not modified"}, **problem_responses(404, 416, 422)},
            summary="An asset file by its hash")
def asset(api: Api, request: Request,
          sha256: str = Path(pattern=r"^[0-9a-f]{64}$", description="64 lowercase hex")) -> Response:
    where = api.assets_present().get(sha256)
    if where is None:
        raise NotFound(f"no asset {sha256} in this project: the hashes are in each block's `assets`")
    tag = etag(sha256)
    if not_modified(request, tag):
        return Response(status_code=304, headers={"ETag": tag, "Cache-Control": IMMUTABLE})
    path, info = file_inside(api.project.assets, PurePosixPath(where).name, "asset file")
    return file_response(path, info, request.headers.get("range"), etag=tag, cache=IMMUTABLE)
