"""The film out and in: export formats written to exports/ and read back, and a Fountain
screenplay imported as blocks (`dry_run`: the plan, nothing written)."""

from __future__ import annotations

import tempfile
from pathlib import Path as FilePath

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from ..bodies import text_body, text_body_doc
from ..deps import Api
from ..files import file_inside, file_response
from ..problems import problem_responses
from ..schemas import ExportFormat, ExportOptions, ExportResult, ImportReport

router = APIRouter(tags=["exports and import"])
FILE_NAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$"  # one name in one folder: no `/`, no `..` first
SCREENPLAY_BODY = text_body_doc("the screenplay, Fountain, UTF-8", ("text/plain",))


@router.get("/exports", response_model=list[ExportFormat],
            summary="Every export format: what it is and the files it writes")
def formats(api: Api) -> list[dict]:
    return [f.to_json() for f in api.export_formats()]


@router.post("/exports/{name}", response_model=ExportResult, responses=problem_responses(422),
             summary="Write an export format (or `all`) to exports/; a format that cannot be made says why")
def export(api: Api, name: str = Path(max_length=100, description="a format: summary, json, fountain, ..., or all"),
           body: ExportOptions | None = None) -> dict:
    body = body or ExportOptions()
    return api.export([name], scene_numbers=body.scene_numbers, lock_scene_numbers=body.lock_scene_numbers,
                      embed_stills=body.embed_stills, slates=body.slates).to_json()


@router.get("/exports/{name}", responses={200: {"content": {"application/octet-stream": {}}, "description": "the file"},
                                          **problem_responses(404, 416, 422)},
            summary="A file in exports/, as written (byte ranges too)")
def export_file(api: Api, request: Request,
                name: str = Path(pattern=FILE_NAME, description="e.g. screenplay.fountain")) -> Response:
    path, info = file_inside(api.project.exports, name, "export file")
    return file_response(path, info, request.headers.get("range"))


@router.post("/import", response_model=ImportReport, openapi_extra=SCREENPLAY_BODY,
             responses=problem_responses(413, 415, 422),
             summary="Bring a Fountain screenplay in: new scenes made, changed ones updated in place, gone ones listed")
async def import_screenplay(api: Api, request: Request,
                            dry_run: bool = Query(False, description="the plan, nothing written"),
                            prune: bool = Query(False, description="delete the imported blocks the screenplay no longer has"),
                            overwrite: bool = Query(False, description="replace (or prune) text written in cinefile too"),
                            name: str = Query("screenplay.fountain", pattern=FILE_NAME,
                                              description="its name, for the report")) -> dict:
    text = await text_body(request, "the screenplay")

    def run() -> dict:
        # The project API imports a file: the text goes into one outside the project, gone after.
        with tempfile.TemporaryDirectory(prefix="cinefile-import-") as folder:
            source = FilePath(folder) / name
            source.write_text(text, encoding="utf-8")
            return api.import_fountain(source, dry_run=dry_run, prune=prune, overwrite=overwrite).to_json()

    return await run_in_threadpool(run)
