"""Generation: what to generate, what it will cost, running it with progress and cancel, the
models it can use with their prices, and what it has cost.

    targets = api.generation_targets(stale=True)             # [("scene-1", "text"), ...]
    plan = api.plan_generation(targets)                      # jobs, errors, kept text, total
    result = api.generate(targets, on_outcome=print)         # a BatchResult of Outcomes
    api.models(kind="text", tier="draft"); api.cost()

Results are written through the guarded write (`apply`), or handed to `on_result` instead (the
language server sends them to the editor). Generated text never replaces a person's own text
unless the caller says `overwrite` (see `format/own_text.py`).

Keys: per call (`keys=`: a Keys, or the {"openrouter": ..., "replicate": ...} an editor handed
over), else `session_keys` as a front end set them; either wins over the environment's.

The generation package (httpx, the providers) is imported inside the functions: the command
line imports this module at start, and every other command would pay for it.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from cinefile.format.catalog import PHASES

from ..errors import UserError
from .blocks import check_choice
from .core import Applied, Core, FileChange, NoSuchBlock

if TYPE_CHECKING:
    from ..generate.keys import Keys
    from ..generate.plan import Job
    from ..generate.providers.base import GenResult
    from ..generate.runner import BatchResult, Generator, Outcome

Targets = list[tuple[str, str]]  # (block id, kind)
_RESULT_WRITES = threading.Lock()


@dataclass(frozen=True)
class TargetIssue:
    """A target that will not run, and why: it cannot be planned now, or its text is kept."""

    id: str
    kind: str
    message: str


@dataclass
class GenerationPlan:
    """What a generation would do, with nothing run: each job's prompt, model, provider and
    estimate; the targets that cannot be planned; the texts that would be kept; and notes on
    kinds that run on the free mock, and on reference images a model does not take."""

    jobs: list[Job] = field(default_factory=list)
    errors: list[TargetIssue] = field(default_factory=list)
    kept: list[TargetIssue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(job.estimate for job in self.jobs)

    @property
    def estimate_line(self) -> str:
        """What the batch should cost, said before anything is paid for."""
        return f"{len(self.jobs)} to generate, about ${self.total:.4f} before cache hits"

    def to_json(self) -> dict:
        return {"jobs": [job.to_json() for job in self.jobs],
                "errors": [{"id": e.id, "kind": e.kind, "error": e.message} for e in self.errors],
                "kept": [{"id": k.id, "kind": k.kind, "reason": k.message} for k in self.kept],
                "notes": self.notes, "estimate_usd": round(self.total, 6)}


@dataclass(frozen=True)
class ListedModel:
    id: str
    provider: str
    kind: str  # text, image, video, speech or music
    tier: str  # draft or final
    price: str
    usd_per_1k_tokens: float | None
    start_image_field: str | None
    runs: int
    source: str  # where cinefile knows it from: the provider's list, the cached list, cinefile.toml, default

    def to_json(self) -> dict:
        return {"id": self.id, "provider": self.provider, "kind": self.kind, "mode": self.tier, "price": self.price,
                "usd_per_1k_tokens": self.usd_per_1k_tokens, "start_image_field": self.start_image_field,
                "runs": self.runs, "source": self.source}


@dataclass
class ModelListing:
    """The models generation can use. `notes` say what runs on the mock for want of a key
    (and what would run with it); `errors`, which lists could not be had."""

    models: list[ListedModel] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"models": [m.to_json() for m in self.models], "notes": self.notes, "errors": self.errors}


class Generation(Core):
    # Keys an editor handed over for this session (`cinefile.setKeys`); a front end sets them.
    session_keys: Mapping[str, str] = MappingProxyType({})

    # -- what to generate ------------------------------------------------------------------

    @staticmethod
    def kinds_for(type_name: str) -> list[str]:
        """What can be generated for a block type; for shots, stills come before video."""
        from ..generate.plan import KIND_TYPES
        from ..generate.providers.base import KINDS

        return [kind for kind in KINDS if type_name in KIND_TYPES[kind]]

    def generation_targets(self, ids: Iterable[str] = (), *, stale: bool = False, phase: str | None = None,
                           kind: str = "text") -> Targets:
        """(id, kind) pairs: the blocks named (by id or path), or every stale block, or every
        block of a phase, that takes this kind. Exactly one of the three."""
        from ..generate.plan import KIND_TYPES
        from ..generate.providers.base import KINDS

        ids = list(dict.fromkeys(ids))
        if sum(bool(x) for x in (ids, stale, phase)) != 1:
            raise UserError("say what to generate: block ids, or --stale, or --phase PHASE (one of them)")
        check_choice("--kind", kind, KINDS)
        if ids:
            return [(key, kind) for key in dict.fromkeys(self._keys_of(ids))]
        if phase:
            names = {p.lower(): p for p in PHASES[:-1]}
            check_choice("--phase", phase.lower(), tuple(names))
            rows = self.index.blocks("phase = ?", [names[phase.lower()]])
        else:
            rows = self.index.blocks("state = 'stale'")
        return [(row["key"], kind) for row in rows if row["type"] in KIND_TYPES[kind]]

    def _keys_of(self, refs: list[str]) -> list[str]:
        keys, missing = [], []
        for ref in refs:
            try:
                keys.append(self.row(ref)["key"])
            except NoSuchBlock as error:
                missing.append((ref, error))
        if len(missing) == 1:
            raise missing[0][1]
        if missing:
            raise NoSuchBlock(f"no block {', '.join(f'`{ref}`' for ref, _ in missing)}: check the ids with `cinefile list`")
        return keys

    def kept_text_reason(self, ref: str, text: str | None = None) -> str | None:
        """Why generated text would not replace this block's body (a person wrote or edited
        it), or None when it would. `text`: the block's text as the caller has it (an
        editor's buffer); the file otherwise."""
        from cinefile.format.own_text import kept_reason

        path = self.row(ref)["path"]
        return kept_reason(path, self.read_path(path).text if text is None else text)

    def own_text_replaced(self, ref: str, text: str) -> str | None:
        """Why writing `text` over this block would replace a body a person wrote or edited
        by hand (the rule generation keeps to), e.g. "its text was written by hand (never
        generated)", or None: the body is not theirs, or stays the same (whitespace and
        media embeds aside)."""
        from cinefile.format.own_text import body_hash, own_text
        from cinefile.format.parse import parse_text

        current = self.read(ref)
        reason = own_text(current.path, current.text)
        before, after = (parse_text(current.path, t).body for t in (current.text, text))
        if reason is None or body_hash(before) == body_hash(after):
            return None
        return reason

    # -- plan and cost ---------------------------------------------------------------------

    def plan_generation(self, targets: Iterable[tuple[str, str]], mode: str | None = None, *, overwrite: bool = False,
                        mock: bool = False, keys: Keys | Mapping[str, str] | None = None,
                        text_of: Callable[[str], str] | None = None,
                        models: Mapping[str, str] | None = None) -> GenerationPlan:
        """Plan without running: calls no generation API (it may read the free model lists).
        `models` ({kind: model id}) picks models for this plan over cinefile.toml's."""
        from ..generate.without_keys import mock_notes

        plan = GenerationPlan()
        targets = list(targets)
        with self._generator(keys, mock, models=models) as generator:
            for key, kind in targets:
                try:
                    job = generator.plan(key, kind, mode)
                except UserError as error:
                    plan.errors.append(TargetIssue(key, kind, str(error)))
                    continue
                reason = None if overwrite else self._kept(job, text_of)
                if reason is None:
                    plan.jobs.append(job)
                else:
                    plan.kept.append(TargetIssue(key, kind, reason))
            plan.notes = (mock_notes({kind for _, kind in targets}, generator.keys, mock) + _job_notes(plan.jobs)
                          + generator.catalog.notes)  # lists used from the cache, offline
        return plan

    def cost_text(self, job: Job) -> str:
        """A job's estimate as a code action's title shows it: `~$0.003`, or `mock, free`."""
        from ..generate.costs import cost_text

        return cost_text(job.estimate, job.provider)

    def cost(self) -> dict:
        """What generation has cost: the ledger's total and calls, by mode, provider, kind and block."""
        from ..generate.ledger import Ledger

        return Ledger(self.project.assets).summary()

    # -- running ---------------------------------------------------------------------------

    def generate(self, targets: Iterable[tuple[str, str]], *, mode: str | None = None, jobs: int | None = None,
                 force: bool = False, overwrite: bool = False, mock: bool = False,
                 keys: Keys | Mapping[str, str] | None = None, on_outcome: Callable[[Outcome], None] | None = None,
                 on_progress: Callable[[Job, str], None] | None = None, cancel: threading.Event | None = None,
                 text_of: Callable[[str], str] | None = None,
                 on_result: Callable[[Job, GenResult], None] | None = None,
                 models: Mapping[str, str] | None = None, on_cancel: Callable[[], None] | None = None) -> BatchResult:
        """Run the targets, `jobs` at a time (default `[generate] concurrency`), a block after
        the blocks of the batch it is made from. Each result is written through `apply`, or
        handed to `on_result(job, result)` instead (which may raise TextKept or a UserError).
        `on_progress(job, stage)` hears each job's stages; setting `cancel` (or a first Ctrl-C)
        stops the batch, and `on_cancel()` hears that once.
        Text for a body a person wrote is skipped unless `overwrite`; `text_of(path)` gives
        the text to judge that by (an editor's buffer; the file otherwise). `models` ({kind:
        model id}) picks models for this run over cinefile.toml's. Never raises for a job: each
        outcome says what happened."""
        from ..generate.runner import run_batch

        write = functools.partial(self.write_result, overwrite=overwrite)
        kept = None if overwrite else (lambda job: self._kept(job, text_of))
        with self._generator(keys, mock, force=force, cancel=cancel, apply=on_result or write, kept_reason=kept,
                             models=models) as generator:
            return run_batch(generator, list(targets), mode, jobs or generator.settings.concurrency, on_outcome, on_progress,
                             on_cancel)

    def result_change(self, job: Job, result: GenResult, text: str | None = None, *, overwrite: bool = False) -> FileChange:
        """The change a result makes to its block, computed from `text` (an editor's buffer)
        or the file as it is now: generated text into the body (media links kept, `generated`
        recorded), or media linked. Raises TextKept (a UserError) for a person's own text
        unless `overwrite`."""
        from ..generate.writeback import result_change

        path = job.path
        if text is None:
            current = self.read(job.key)  # where the block is now, should it have moved meanwhile
            path, text = current.path, current.text
        return result_change(job, result, path, text, overwrite=overwrite)

    def write_result(self, job: Job, result: GenResult, *, overwrite: bool = False) -> Applied:
        """Write a result into its block through the guarded write: how `generate` hands
        results out unless told otherwise."""
        with _RESULT_WRITES:  # a block's read and its write are never split by another job's
            return self.apply(self.result_change(job, result, overwrite=overwrite))

    def _kept(self, job: Job, text_of: Callable[[str], str] | None) -> str | None:
        if job.kind != "text":
            return None  # media only ever add links to the body
        return self.kept_text_reason(job.path, text_of(job.path) if text_of is not None else None)

    def generation_keys(self, keys: Keys | Mapping[str, str] | None = None) -> Keys:
        """The keys to use: `keys` or the session's first, then the environment's."""
        from ..generate.keys import Keys, find_keys

        if isinstance(keys, Keys):
            return keys
        return find_keys(session=self.session_keys if keys is None else keys)

    def _generator(self, keys: Keys | Mapping[str, str] | None, mock: bool, **options: Any) -> Generator:
        from ..generate.runner import Generator

        return Generator(self.project, self.index, keys=self.generation_keys(keys), mock=mock, **options)

    # -- models ----------------------------------------------------------------------------

    def models(self, kind: str | None = None, tier: str | None = None, refresh: bool = False, *,
               keys: Keys | Mapping[str, str] | None = None) -> ModelListing:
        """The models generation can use, draft or final, with prices. Lists come from the
        providers (cached in project.db for a day; `refresh` asks again). For a provider with
        no key, what runs is the mock; the listing says so, and what would run with the key:
        the list cached when there was one, else cinefile.toml's and cinefile's defaults."""
        from ..generate.catalog import CATALOG_KINDS, Catalog
        from ..generate.errors import GenerationError
        from ..generate.keys import provider_of
        from ..generate.providers.base import KINDS
        from ..generate.providers.openrouter import OpenRouter
        from ..generate.providers.replicate import Replicate
        from ..generate.settings import settings_of
        from ..generate.without_keys import TIERS, kind_of, models_without_key, no_key_note

        if kind is not None:
            check_choice("--kind", kind, KINDS)
        if tier is not None:
            check_choice("tier", tier, TIERS)
        settings = settings_of(self.project.config)
        found = self.generation_keys(keys)
        clients = {"openrouter": OpenRouter(found.openrouter) if found.openrouter else None,
                   "replicate": Replicate(found.replicate) if found.replicate else None}
        listing = ModelListing()
        wanted = [k for k in CATALOG_KINDS if kind is None or kind_of(k) == kind]
        try:
            catalog = Catalog(self.index, clients["openrouter"], clients["replicate"])
            for provider, client in clients.items():
                catalog_kinds = [k for k in wanted if provider_of(k) == provider]
                if not catalog_kinds:
                    continue
                if client is None:
                    listing.notes.append(no_key_note(provider, catalog_kinds))
                for catalog_kind in catalog_kinds:
                    if client is None:
                        found_models = models_without_key(catalog, settings, catalog_kind, listing.notes)
                    else:
                        try:
                            fetched = catalog.models(catalog_kind, refresh=refresh)
                            source = "cached list" if catalog_kind in catalog.offline else "provider"
                            found_models = [(m, source) for m in fetched]
                        except GenerationError as error:
                            listing.errors.append(f"{catalog_kind}: {error}")
                            continue
                    listing.models += [_listed(m, settings, source) for m, source in found_models
                                       if tier is None or m.draft == (tier == "draft")]
            listing.notes += catalog.notes  # lists shown from the cache, with their age, when offline
        finally:
            for client in clients.values():
                if client is not None:
                    client.close()
        return listing


def _job_notes(jobs: list[Job]) -> list[str]:
    """What jobs say of themselves (references a model does not take), once per note with the
    blocks it is about: `shot-1a, shot-1b: no reference images: ...`."""
    about: dict[str, list[str]] = {}
    for job in jobs:
        for note in job.notes:
            about.setdefault(note, []).append(job.key)
    return [f"{', '.join(dict.fromkeys(keys))}: {note}" for note, keys in about.items()]


def _listed(model, settings, source: str) -> ListedModel:
    from ..generate.costs import price_text

    return ListedModel(model.id, model.provider, model.kind, "draft" if model.draft else "final",
                       price_text(settings, model), model.price_per_1k,
                       model.start_image_field if model.kind == "video" else None, model.run_count, source)
