"""The project at a glance, and the health check (the one route that needs no token)."""

from __future__ import annotations

from fastapi import APIRouter

from ..deps import Api
from ..schemas import Health, ProjectCounts

router = APIRouter(tags=["project"])
HEALTH_PATH = "/health"


@router.get(HEALTH_PATH, response_model=Health, summary="Is the server up (no token needed)")
def health() -> dict:
    return {"status": "ok"}


@router.get("/project", response_model=ProjectCounts,
            summary="Name, mode, counts by phase and type, stale and problem counts")
def project(api: Api) -> dict:
    status = api.status()
    return {"name": status.project, "mode": status.mode, "blocks": status.blocks, "phases": status.phases,
            "stale": len(status.stale), "unreviewed": len(status.unreviewed), "broken": len(status.broken),
            "problems": len(status.problems), "errors": status.errors}
