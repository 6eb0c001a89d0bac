"""What can be done with one block besides reading and writing it: its history, a diff of two
versions, undo, mark it fresh, approve a generated asset, and what a change to it would make
stale."""

from __future__ import annotations

from fastapi import APIRouter, Query

from ..deps import Api, BlockRef
from ..problems import problem_responses
from ..schemas import (Approved, ApproveRequest, BlockSummary, Diff, FreshRequest, FreshResult, Revision, Undone,
                       UndoRequest)

router = APIRouter(tags=["block actions"])


@router.get("/blocks/{block_id}/history", response_model=list[Revision], responses=problem_responses(404, 422),
            summary="Every version of the block, oldest first (a deleted block's too)")
def history(block_id: BlockRef, api: Api) -> list[dict]:
    return [revision.to_json() for revision in api.history(block_id)]


VERSION_DOC = "a version number, or the commit (or its start) of a version from git"


@router.get("/blocks/{block_id}/diff", response_model=Diff, responses=problem_responses(404, 422),
            summary="A unified diff from one version to another (default: to the file now)")
def diff(block_id: BlockRef, api: Api,
         from_version: str = Query(alias="from", min_length=1, max_length=64, description=VERSION_DOC),
         to: str | None = Query(None, min_length=1, max_length=64, description=VERSION_DOC)) -> dict:
    # The text as given goes to the API, which tells a version number from a commit's start
    # (which may be all digits); the answer names each as the API read it.
    text = api.diff(block_id, from_version, to)
    return {"id": block_id, "from_version": api.version_named(block_id, from_version),
            "to_version": None if to is None else api.version_named(block_id, to), "diff": text}


@router.post("/blocks/{block_id}/undo", response_model=Undone, responses=problem_responses(404, 409, 422),
             summary="Put an earlier version back (refused when the file changed since the last sync, unless force)")
def undo(block_id: BlockRef, api: Api, body: UndoRequest | None = None) -> dict:
    body = body or UndoRequest()
    return api.undo(block_id, body.to, force=body.force).to_json()


@router.post("/blocks/{block_id}/mark-fresh", response_model=FreshResult, responses=problem_responses(404, 409, 422),
             summary="Record that the block is up to date with what it is made from")
def mark_fresh(block_id: BlockRef, api: Api, body: FreshRequest | None = None) -> dict:
    return api.mark_fresh([block_id], dry_run=(body or FreshRequest()).dry_run).to_json()


@router.post("/blocks/{block_id}/approve", response_model=Approved, responses=problem_responses(404, 409, 422),
             summary="Approve a generated still, video or audio of the block (the newest waiting, or the one named)")
def approve(block_id: BlockRef, api: Api, body: ApproveRequest | None = None) -> dict:
    body = body or ApproveRequest()
    return api.approve([block_id], body.kind, body.asset)[0].to_json()


@router.get("/blocks/{block_id}/impact", response_model=list[BlockSummary], responses=problem_responses(404, 422),
            summary="Every block a change to this one would make stale, in story order")
def impact(block_id: BlockRef, api: Api) -> list[dict]:
    return [block.to_json() for block in api.impact(block_id)]
