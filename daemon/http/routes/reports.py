"""What the project adds up to: its problems, the dependency graph, the models generation can
use with their prices, and what generation has cost."""

from __future__ import annotations

from fastapi import APIRouter, Query

from ..deps import Api, Keys
from ..problems import problem_responses
from ..schemas import Cost, Graph, ModelListing, ProblemInfo
from .generations import KEY_PARAMETERS

router = APIRouter(tags=["project"])


@router.get("/problems", response_model=list[ProblemInfo], summary="Every problem in the project, by file and position")
def problems(api: Api) -> list[dict]:
    return [p.to_json() for p in api.problems()]


@router.get("/graph", response_model=Graph, responses=problem_responses(422),
            summary="The dependency graph, as text or Graphviz dot")
def graph(api: Api, format: str = Query("text", max_length=10, description="text or dot")) -> dict:
    return {"format": format, "graph": api.graph(format)}


@router.get("/models", response_model=ModelListing, responses=problem_responses(422), openapi_extra=KEY_PARAMETERS,
            summary="The models generation can use, draft or final, with prices")
def models(api: Api, keys: Keys, kind: str | None = Query(None, max_length=20, description="text, image, video or audio"),
           tier: str | None = Query(None, max_length=10, description="draft or final"),
           refresh: bool = Query(False, description="ask the providers again instead of the day's cached lists")) -> dict:
    return api.models(kind, tier, refresh, keys=keys).to_json()


@router.get("/cost", response_model=Cost,
            summary="What generation has cost: total and calls, by mode, provider, kind and block")
def cost(api: Api) -> dict:
    return api.cost()
