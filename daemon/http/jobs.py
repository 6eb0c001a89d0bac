"""Generation jobs: a batch started by `POST /api/generations` runs in a thread of its own
through the project API's `generate`, with progress and outcomes kept here for
`GET /api/jobs/{id}` and published on the event stream; `DELETE` sets its cancel event.

API keys reach a job as an argument of its thread and nowhere else: not in the job, its
JSON, its events or a log line.
"""

from __future__ import annotations

import collections
import datetime
import logging
import secrets
import threading
from dataclasses import dataclass, field
from typing import Callable, Mapping

from ..api import ProjectAPI
from ..errors import UserError
from .problems import NotFound

KEEP_FINISHED = 100  # finished jobs kept for GET /api/jobs/{id}; the oldest go first
QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
_log = logging.getLogger("cinefile.http")


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


@dataclass
class GenerationJob:
    id: str
    targets: list[tuple[str, str]]
    mode: str | None
    status: str = QUEUED
    stages: dict[str, str] = field(default_factory=dict)  # "id kind" -> the stage it is at
    outcomes: list[dict] = field(default_factory=list)
    complete: bool | None = None  # when finished: nothing failed or was left undone but kept text
    error: str | None = None
    created: str = field(default_factory=_now)
    finished: str | None = None
    cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def over(self) -> bool:
        return self.status in (DONE, FAILED, CANCELLED)

    def to_json(self) -> dict:
        return self.progress_json() | {"targets": [{"id": key, "kind": kind} for key, kind in self.targets],
                                       "outcomes": list(self.outcomes)}

    def progress_json(self) -> dict:
        """What an event says of the job: all but its targets and outcomes (a batch of a
        thousand would repeat them in every event), and the newest outcome."""
        return {"id": self.id, "status": self.status, "mode": self.mode,
                "progress": {"done": len(self.outcomes), "total": len(self.targets)},
                "stages": dict(self.stages), "last_outcome": self.outcomes[-1] if self.outcomes else None,
                "cost_usd": round(sum(o.get("cost_usd") or 0 for o in self.outcomes), 6),
                "complete": self.complete, "error": self.error, "cancel_requested": self.cancel.is_set(),
                "created": self.created, "finished": self.finished}


class Jobs:
    def __init__(self, api: ProjectAPI, publish: Callable[[str, dict], object]) -> None:
        self.api = api
        self._publish = publish
        self._jobs: collections.OrderedDict[str, GenerationJob] = collections.OrderedDict()
        self._lock = threading.Lock()

    def start(self, targets: list[tuple[str, str]], *, mode: str | None, overwrite: bool, force: bool,
              keys: Mapping[str, str]) -> dict:
        job = GenerationJob(secrets.token_hex(8), list(targets), mode)
        job.thread = threading.Thread(target=self._run, args=(job, dict(keys), overwrite, force),
                                      name=f"cinefile-job-{job.id}", daemon=True)
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()
        self._changed(job)
        job.thread.start()
        return self.get(job.id)

    def get(self, job_id: str) -> dict:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                raise NotFound(f"no job {job_id}: it never ran here, or finished long ago (the last "
                               f"{KEEP_FINISHED} are kept); start one with POST /api/generations")
            return job.to_json()

    def cancel(self, job_id: str) -> dict:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is not None and not job.over:
            job.cancel.set()  # the runner cancels what is in flight and writes nothing more
            self._changed(job)
        return self.get(job_id)

    def cancel_all(self) -> None:
        with self._lock:
            running = [job for job in self._jobs.values() if not job.over]
        for job in running:
            job.cancel.set()

    def wait(self, timeout: float) -> None:
        with self._lock:
            threads = [job.thread for job in self._jobs.values() if job.thread is not None]
        for thread in threads:
            thread.join(timeout)

    # -- the job's thread ------------------------------------------------------------------

    def _run(self, job: GenerationJob, keys: dict[str, str], overwrite: bool, force: bool) -> None:
        self._update(job, status=RUNNING)
        try:
            result = self.api.generate(job.targets, mode=job.mode, overwrite=overwrite, force=force, keys=keys,
                                       cancel=job.cancel, on_outcome=lambda outcome: self._outcome(job, outcome),
                                       on_progress=lambda planned, stage: self._stage(job, planned, stage))
            cancelled = job.cancel.is_set() or result.interrupted
            self._update(job, status=CANCELLED if cancelled else DONE, complete=result.complete)
        except UserError as error:
            self._update(job, status=FAILED, error=str(error))
        except Exception as error:  # a bug: the job says so in one line; the server goes on
            _log.error("generation job %s: internal error: %s", job.id, type(error).__name__)
            self._update(job, status=FAILED, error=f"internal error ({type(error).__name__}): please report it")
        finally:
            keys.clear()

    def _outcome(self, job: GenerationJob, outcome) -> None:
        with self._lock:
            job.outcomes.append(outcome.to_json())
            job.stages.pop(f"{outcome.key} {outcome.kind}", None)
        self._changed(job)

    def _stage(self, job: GenerationJob, planned, stage: str) -> None:
        with self._lock:
            job.stages[f"{planned.key} {planned.kind}"] = stage
        self._changed(job)

    def _update(self, job: GenerationJob, **changes) -> None:
        with self._lock:
            for name, value in changes.items():
                setattr(job, name, value)
            if job.over:
                job.finished = _now()
                job.stages.clear()
        self._changed(job)

    def _changed(self, job: GenerationJob) -> None:
        with self._lock:
            data = job.progress_json()
        self._publish("job", data)

    def _forget_old(self) -> None:
        finished = [job_id for job_id, job in self._jobs.items() if job.over]
        for job_id in finished[:max(0, len(finished) - KEEP_FINISHED)]:
            del self._jobs[job_id]
