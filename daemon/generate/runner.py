"""Running planned generations, one (`Generator.run`) or a batch (`run_batch`), for the project API.

A job goes: request cache (unless forced) -> budget check -> provider -> result kept (asset
files, `assets/meta`, request cache, ledger) -> handed out through the `apply` hook. The runner
writes no block file: the project API's hook turns the result into a FileChange and writes it
through its guarded write, or hands it to the language server, which sends it to the editor.
The result is kept before it is handed out, so a paid generation is never lost, even when
writing it fails. An abort (the `cancel` event, or Ctrl-C in a batch) cancels remote
predictions; a result that arrives after it stays in the cache and is not handed out.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime
import functools
import json
import signal
import threading
from dataclasses import dataclass, field
from typing import Callable, Iterator, Mapping

from cinefile.daemon.errors import UserError
from cinefile.daemon.index.db import Index
from cinefile.daemon.project import Project

from .assets import AssetStore, StoredAsset
from .cache import RequestCache
from .catalog import Catalog, ModelInfo
from .errors import Cancelled, GenerationError
from .http import Clock, report_waits_to
from .keys import Keys, find_keys, redact
from .ledger import Ledger
from .plan import Job, Planner
from .providers.base import GenRequest, GenResult, PaidNotStored, Provider, RunContext
from .providers.mock import Mock
from .providers.openrouter import OpenRouter
from .providers.replicate import Replicate
from .settings import settings_of
from .workers import DaemonPool
from .writeback import TextKept

DONE, CACHED, FAILED, CANCELLED, SKIPPED = "done", "cached", "failed", "cancelled", "skipped"
KEPT_NOTE = "the result is kept: generate again to use it at no cost"


@dataclass
class Outcome:
    key: str
    kind: str
    status: str
    message: str = ""
    cost: float = 0.0
    job: Job | None = None
    assets: list[str] = field(default_factory=list)  # sha256 of what was linked
    kept_text: bool = False  # skipped because the body is a person's own text (see format/own_text.py)

    def to_json(self) -> dict:
        return {"id": self.key, "kind": self.kind, "status": self.status, "message": self.message,
                "cost_usd": round(self.cost, 6), "model": self.job.model if self.job else None,
                "mode": self.job.mode if self.job else None, "assets": self.assets, "kept_text": self.kept_text}


class Generator:
    """Everything one run of generation shares: providers, catalog, cache, ledger, budget.

    `apply(job, result)` is where results go (raising TextKept to keep a person's text, or a
    UserError when writing fails); `kept_reason(job)` says why a job's text would be kept, so
    it is skipped before anything is paid for. Without `apply` a Generator only plans."""

    def __init__(self, project: Project, index: Index, *, keys: Keys | None = None, mock: bool = False,
                 force: bool = False, cancel: threading.Event | None = None, clock: Clock | None = None,
                 apply: Callable[[Job, GenResult], None] | None = None,
                 kept_reason: Callable[[Job], str | None] | None = None, models: Mapping[str, str] | None = None) -> None:
        self.project, self.index, self.force = project, index, force
        self.apply, self.kept_reason = apply, kept_reason
        self.settings = settings_of(project.config)
        self.keys = find_keys() if keys is None else keys
        self.cancel = cancel or threading.Event()
        self.clock = clock or Clock()
        self.store = AssetStore(project.root, self.settings.max_download_bytes)
        self.cache = RequestCache(self.store)
        self.ledger = Ledger(self.store.folder)
        openrouter = OpenRouter(self.keys.openrouter, clock=self.clock, cancel=self.cancel) \
            if self.keys.openrouter and not mock else None
        replicate = Replicate(self.keys.replicate, clock=self.clock, cancel=self.cancel) \
            if self.keys.replicate and not mock else None
        self.providers: dict[str, Provider] = {"mock": Mock()}
        self.providers.update({p.name: p for p in (openrouter, replicate) if p is not None})
        self.catalog = Catalog(index, openrouter, replicate)
        self.planner = Planner(project, index, self.settings, self.keys, self.catalog, self.store, mock, models)
        self._budget_lock = threading.Lock()
        self._reserved = 0.0
        self.budget_stopped = False

    def __enter__(self) -> "Generator":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for provider in self.providers.values():
            provider.close()

    def plan(self, key: str, kind: str, mode: str | None = None) -> Job:
        try:
            return self.planner.plan(key, kind, mode)
        except UserError as error:
            raise type(error)(self._redact(str(error))) from None

    def _redact(self, text: str) -> str:
        return redact(text, self.keys.secrets())

    def run(self, job: Job, progress: Callable[[str], None] | None = None) -> Outcome:
        """Run one planned job. Never raises for what went wrong: the outcome says it."""
        if self.apply is None:
            raise TypeError("this Generator only plans: give it `apply` to run jobs")
        progress = progress or (lambda stage: None)
        if self.cancel.is_set():
            return Outcome(job.key, job.kind, CANCELLED, "cancelled before it started", job=job)
        if self.budget_stopped and job.estimate > 0:
            return Outcome(job.key, job.kind, SKIPPED, "not started: the budget is spent", job=job)
        try:
            reason = self.kept_reason(job) if self.kept_reason is not None else None
            if reason is not None:
                return Outcome(job.key, job.kind, SKIPPED, reason, job=job, kept_text=True)
            return self._run(job, progress)
        except Cancelled:
            return Outcome(job.key, job.kind, CANCELLED, "cancelled; nothing was written", job=job)
        except UserError as error:
            return Outcome(job.key, job.kind, FAILED, self._redact(str(error)), job=job)
        except Exception as error:  # a bug must not take the batch (or the language server) down
            return Outcome(job.key, job.kind, FAILED, self._redact(f"internal error: {type(error).__name__}: {error}"),
                           job=job)

    def _run(self, job: Job, progress: Callable[[str], None]) -> Outcome:
        entry = None if self.force else self.cache.get(job.cache_key)
        if entry is not None:
            progress("cached")
            result = GenResult(text=entry.get("text"), assets=[StoredAsset.from_json(a) for a in entry.get("assets", [])])
            return self._apply(job, result, CACHED, 0.0)
        self._reserve(job)
        try:
            context = self._context(job, progress)
            request = GenRequest(job.kind, job.model, job.prompt, job.params, job.seed, job.inputs, job.title, job.type,
                                 tuple(job.references), job.purpose)
            progress("running")
            try:
                result = self.providers[job.provider].run(request, context)
            except PaidNotStored as paid:
                return self._keep_paid(job, paid)
            self._keep(job, result)
        finally:
            self._release(job)
        outcome = self._apply(job, result, DONE, result.cost)
        if not outcome.message:  # a paid prediction fetched again, or one gone and made anew
            outcome.message = (f"fetched prediction {result.meta.get('prediction_id')}, paid for earlier: no new cost"
                               if result.meta.get("resumed") else str(result.meta.get("note") or ""))
        return outcome

    def _context(self, job: Job, progress: Callable[[str], None]) -> RunContext:
        """What the provider needs beyond the request: how the model is run, and a prediction
        paid for earlier under the same request, whose output it should fetch first."""
        model = self._model_info(job) if job.provider == "replicate" else None
        pending = None if self.force else self.cache.pending(job.cache_key)
        return RunContext(self.store, self.cancel, self.clock, progress, job.price,
                          official=model.official if model else None, version=model.version if model else None,
                          resume=pending["prediction_id"] if pending else None)

    def _model_info(self, job: Job) -> ModelInfo | None:
        """The job's model as the cached catalogue has it (no network); None when it is not in it."""
        cached = self.catalog.cached(job.purpose or job.kind)
        return next((m for m in cached[1] if m.id == job.model), None) if cached else None

    def _reserve(self, job: Job) -> None:
        limit = self.settings.budget_usd
        with self._budget_lock:
            if limit is not None and job.estimate > 0:
                spent = self.ledger.total()
                if spent + self._reserved + job.estimate > limit:
                    self.budget_stopped = True
                    raise GenerationError(f"budget: this would take spend to ${spent + self._reserved + job.estimate:.4f}, "
                                          f"over the ${limit:.4f} limit in cinefile.toml ([budget] limit_usd); "
                                          "raise it, or use draft or mock mode")
            self._reserved += job.estimate

    def _release(self, job: Job) -> None:
        with self._budget_lock:
            self._reserved -= job.estimate

    def _keep_paid(self, job: Job, paid: PaidNotStored) -> Outcome:
        """Paid for, not stored: record the cost (unless it was recorded when first paid), and the
        prediction under the request, so that the same request fetches its output again."""
        if paid.cost > 0 and not paid.recorded:
            self.ledger.record(self._ledger_line(job, _now(), paid.cost, paid.prediction_id, paid.estimated,
                                                 stored=False))
        if paid.refetchable:
            self.cache.put_pending(job.cache_key, {"prediction_id": paid.prediction_id, "provider": job.provider,
                                                   "model": job.model, "block": job.key, "kind": job.kind,
                                                   "cost": paid.cost, "at": _now()})
        status = CANCELLED if isinstance(paid.cause, Cancelled) else FAILED
        return Outcome(job.key, job.kind, status, self._redact(str(paid)), cost=0.0 if paid.recorded else paid.cost,
                       job=job)

    def _ledger_line(self, job: Job, at: str, cost: float, prediction_id: str | None, estimated: bool,
                     **extra) -> dict:
        line = {"at": at, "block": job.key, "kind": job.kind, "mode": job.mode, "provider": job.provider,
                "model": job.model, "cost": cost, "estimate": job.estimate, "cache_key": job.cache_key}
        if prediction_id:
            line["prediction_id"] = prediction_id
        if estimated:  # the provider did not say (no metrics yet): the table's estimate stands in
            line["cost_estimated"] = True
        return line | extra

    def _keep(self, job: Job, result: GenResult) -> None:
        """Keep a paid result before anything else can fail: files, meta, cache, ledger."""
        at = _now()
        meta = {"provider": job.provider, "model": job.model, "prompt": job.prompt,
                "params": {k: v for k, v in job.params.items() if k != "system"}, "seed": job.seed,
                "cost": result.cost, "block": job.key, "kind": job.kind, "mode": job.mode, "at": at}
        for asset in result.assets:
            self.store.write_meta(asset, meta)
        self.cache.put(job.cache_key, {"text": result.text, "assets": [a.to_json() for a in result.assets],
                                       "provider": job.provider, "model": job.model, "cost": result.cost, "at": at,
                                       "meta": result.meta})
        if job.provider != "mock" and not result.meta.get("resumed"):  # a resumed fetch was recorded when paid
            self.ledger.record(self._ledger_line(job, at, result.cost, result.meta.get("prediction_id"),
                                                 bool(result.meta.get("cost_estimated"))))

    def _apply(self, job: Job, result: GenResult, status: str, cost: float) -> Outcome:
        outcome = Outcome(job.key, job.kind, status, cost=cost, job=job, assets=[a.sha256 for a in result.assets])
        if self.cancel.is_set():  # too late to stop the provider, not to leave the block alone
            outcome.status, outcome.message = CANCELLED, "cancelled; the result is kept in the cache, the block is unchanged"
            return outcome
        try:
            self.apply(job, result)
        except TextKept as error:  # the person edited the body while it was generated
            outcome.status, outcome.message, outcome.kept_text = SKIPPED, str(error), True
        except UserError as error:  # paid for, kept, not written: the outcome keeps its cost
            outcome.status, outcome.message = FAILED, self._redact(f"{error} ({KEPT_NOTE})")
        return outcome


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


@dataclass
class BatchResult:
    outcomes: list[Outcome] = field(default_factory=list)
    interrupted: bool = False

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def complete(self) -> bool:
        """Nothing failed, and nothing was left undone but a person's text, kept on purpose."""
        return not any(o.status == FAILED or (o.status == SKIPPED and not o.kept_text) for o in self.outcomes)

    @property
    def cost(self) -> float:
        return sum(o.cost for o in self.outcomes)


def batch_levels(index: Index, keys: list[str]) -> list[list[str]]:
    """Blocks in waves: a block runs after the blocks of the batch it is made from."""
    wanted = set(keys)
    rows = {k: index.block(k) for k in keys}
    inputs = {k: [ref[0] for ref in json.loads(row["refs"] or "[]") if ref[0] in wanted and ref[0] != k] if row else []
              for k, row in rows.items()}
    level: dict[str, int] = {}

    def depth(k: str, trail: frozenset) -> int:
        if k in level:
            return level[k]
        below = [depth(d, trail | {k}) for d in inputs[k] if d not in trail]
        level[k] = 1 + max(below) if below else 0
        return level[k]

    for k in keys:
        depth(k, frozenset())
    waves: dict[int, list[str]] = {}
    for k in keys:
        waves.setdefault(level[k], []).append(k)
    return [waves[i] for i in sorted(waves)]


def _free_limit_hit(generator: Generator, outcome: Outcome) -> bool:
    """Whether a draft text job failed on the account's limit for `:free` models."""
    openrouter = generator.providers.get("openrouter")
    return outcome.status == FAILED and isinstance(openrouter, OpenRouter) and openrouter.free_limit is not None


def _on_fallback(generator: Generator, job: Job, progress: Callable[[str], None]) -> Outcome:
    """Run a draft text job on its fallback, a model that is not free, and say why."""
    fallback = job.fallback
    assert fallback is not None
    openrouter = generator.providers.get("openrouter")
    said = getattr(openrouter, "free_limit", None) or "free-models-per-day"
    progress(f"the free models' limit is reached: running on {fallback.model}")
    outcome = generator.run(fallback, progress)
    why = f"ran on {fallback.model}, not {job.model}: the free models' limit is reached ({said})"
    outcome.message = f"{outcome.message} ({why})" if outcome.message else why
    return outcome


def run_batch(generator: Generator, targets: list[tuple[str, str]], mode: str | None, workers: int,
              on_outcome: Callable[[Outcome], None] | None = None,
              on_progress: Callable[[Job, str], None] | None = None,
              on_cancel: Callable[[], None] | None = None) -> BatchResult:
    """Run many jobs, `workers` at a time, wave by wave. Ctrl-C cancels what is in flight.
    `on_progress(job, stage)` hears "planned", then the stages `Generator.run` reports;
    `on_cancel()` hears once that the batch is being cancelled (from this thread, not from
    the signal handler: a handler that prints can land inside another print)."""
    on_outcome = on_outcome or (lambda outcome: None)
    on_progress = on_progress or (lambda job, stage: None)
    cancel_heard = threading.Event()

    def hear_cancel() -> None:
        if generator.cancel.is_set() and on_cancel is not None and not cancel_heard.is_set():
            cancel_heard.set()
            on_cancel()
    result = BatchResult()
    kinds: dict[str, list[str]] = {}
    for key, kind in targets:
        kinds.setdefault(key, []).append(kind)

    def finish(outcome: Outcome) -> None:
        result.outcomes.append(outcome)
        on_outcome(outcome)

    pending: set[concurrent.futures.Future] = set()
    order: dict[concurrent.futures.Future, int] = {}

    free_limited = threading.Event()  # the free models' limit was hit: draft text runs on its fallback

    def run_job(job: Job) -> Outcome:
        progress = functools.partial(on_progress, job)
        with report_waits_to(progress):
            if job.fallback is not None and not free_limited.is_set():
                outcome = generator.run(job, progress)
                if not _free_limit_hit(generator, outcome):
                    return outcome
                free_limited.set()  # later jobs of the batch go straight to the fallback
            if job.fallback is None:
                return generator.run(job, progress)
            return _on_fallback(generator, job, progress)

    def interrupted() -> None:
        result.interrupted = True
        generator.cancel.set()  # the workers see it, cancel their predictions and write nothing

    def drain() -> None:
        while pending:
            done, _ = concurrent.futures.wait(pending, timeout=0.2)
            hear_cancel()
            for future in sorted(done, key=order.__getitem__):  # in the order they were asked for
                pending.discard(future)
                finish(future.result())

    pool = DaemonPool(workers, "generate")
    wait_for_workers = True
    try:
        with ctrl_c_cancels(interrupted):
            for wave in batch_levels(generator.index, list(kinds)):
                for key in wave:
                    for kind in kinds[key]:
                        if generator.cancel.is_set() or generator.budget_stopped:
                            cancelled = generator.cancel.is_set()
                            finish(Outcome(key, kind, CANCELLED if cancelled else SKIPPED,
                                           "cancelled" if cancelled else "not started: the budget is spent"))
                            continue
                        try:
                            job = generator.plan(key, kind, mode)
                        except UserError as error:
                            finish(Outcome(key, kind, FAILED, str(error)))
                            continue
                        on_progress(job, "planned")
                        future = pool.submit(run_job, job)
                        order[future] = len(order)
                        pending.add(future)
                drain()
    except KeyboardInterrupt:  # a second Ctrl-C: stop waiting, even for a request that never answers
        generator.cancel.set()
        wait_for_workers = False
        raise
    finally:
        pool.shutdown(wait=wait_for_workers)
    return result


@contextlib.contextmanager
def ctrl_c_cancels(on_interrupt: Callable[[], None]) -> Iterator[None]:
    """While a batch runs, the first Ctrl-C cancels it cleanly instead of raising wherever the
    main thread happens to be; a second one raises KeyboardInterrupt as usual. (Signals reach the
    main thread only.)"""
    previous = signal.getsignal(signal.SIGINT)
    # Not from another thread (signals reach the main one), and not when Ctrl-C is ignored
    # (started by nohup, or in the background of a script): that stays as it was asked.
    if threading.current_thread() is not threading.main_thread() or previous is signal.SIG_IGN:
        yield
        return

    def handle(signum, frame) -> None:
        signal.signal(signal.SIGINT, previous)
        on_interrupt()

    signal.signal(signal.SIGINT, handle)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
