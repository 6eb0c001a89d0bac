"""Generation: a dry run answers with the plan (prompts, models, cost estimates); otherwise a
job starts (202) and runs in its thread: `GET /api/jobs/{id}` follows it, `DELETE` cancels it,
and its progress is on the event stream. Paid providers' keys come per request, in headers, or
from the server's environment; without them, the free offline mock runs."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request
from starlette.responses import JSONResponse, Response

from ..deps import KEY_HEADERS, Api, Keys, State
from ..problems import problem_responses
from ..schemas import GenerationPlan, GenerationRequest, Job

router = APIRouter(tags=["generation"])
KEY_PARAMETERS = {"parameters": [{"name": name, "in": "header", "required": False, "schema": {"type": "string"},
                                  "description": f"a {provider} API key for this request only"}
                                 for name, provider in KEY_HEADERS.items()]}
JobId = Path(pattern=r"^[0-9a-f]{16}$", description="the id POST /api/generations gave")


@router.post("/generations", status_code=202, response_model=Job, openapi_extra=KEY_PARAMETERS,
             responses={200: {"model": GenerationPlan, "description": "the plan of a dry run"},
                        **problem_responses(404, 422)},
             summary="Generate for blocks (ids, or every stale one, or a phase): 202 with a job; a dry run plans")
def start_generation(body: GenerationRequest, api: Api, state: State, keys: Keys, request: Request) -> Response:
    targets = api.generation_targets(body.ids, stale=body.stale, phase=body.phase, kind=body.kind)
    if body.dry_run:
        return JSONResponse(api.plan_generation(targets, body.mode, overwrite=body.overwrite, keys=keys).to_json())
    job = state.jobs.start(targets, mode=body.mode, overwrite=body.overwrite, force=body.force, keys=keys)
    location = f"{request.scope.get('root_path', '')}/jobs/{job['id']}"
    return JSONResponse(job, status_code=202, headers={"Location": location})


@router.get("/jobs/{job_id}", response_model=Job, responses=problem_responses(404, 422),
            summary="A generation job: status, progress, outcomes")
def get_job(state: State, job_id: str = JobId) -> dict:
    return state.jobs.get(job_id)


@router.delete("/jobs/{job_id}", response_model=Job, responses=problem_responses(404, 422),
               summary="Cancel a job: what is in flight is cancelled, nothing more is written")
def cancel_job(state: State, job_id: str = JobId) -> dict:
    return state.jobs.cancel(job_id)
