"""Which models exist, what they cost, and which one a draft or final generation uses.

- OpenRouter (text): `GET /models`. Draft models cost under $0.001 per 1k tokens, prompt plus
  completion (under $0.000001 per token); `:free` models count; `-1` (variable) prices are
  never draft. Draft picks the cheapest; final is `[models] text` in cinefile.toml, else
  DEFAULT_FINAL_TEXT.
- Replicate (image, video, speech, music): the collections in COLLECTIONS. Draft models are
  those whose names match DRAFT_NAME (schnell, turbo, fast, lightning, ...); the others are final.
  Each picks the most-run model of its kind, unless `[models]` (final) or `[models.draft]` names one.
- Image-to-video models are those whose input schema has a start-image field (START_IMAGE_FIELDS,
  or any uri input named like an image or frame); it is read from the schema, never assumed.

Lists are cached in project.db (`model_catalog`) for CATALOG_TTL_S.
"""

from __future__ import annotations

import json
import re
import threading
import time
import weakref
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from cinefile.daemon.index.db import Index

from .errors import GenerationError
from .http import ApiError, Clock
from .http import deadline as http_deadline
from .providers.openrouter import OpenRouter
from .providers.replicate import Replicate

CATALOG_TTL_S = 24 * 3600
DRAFT_TEXT_MAX_PER_TOKEN = Decimal("0.000001")
DRAFT_NAME = re.compile(r"schnell|turbo|fast|lightning|lite|flash|mini|small|tiny|distill|lcm", re.IGNORECASE)
DEFAULT_FINAL_TEXT = "anthropic/claude-sonnet-4.5"
COLLECTIONS: dict[str, tuple[str, ...]] = {
    "image": ("text-to-image",),
    "video": ("text-to-video", "image-to-video"),
    "speech": ("text-to-speech",),
    "music": ("ai-music-generation",),
}
# Collections that may not exist: a 404 for them is not an error.
OPTIONAL_COLLECTIONS = frozenset({"image-to-video"})
CATALOG_KINDS = ("text", *COLLECTIONS)
START_IMAGE_FIELDS = ("image", "first_frame_image", "start_image", "first_frame", "input_image", "init_image",
                      "start_frame", "image_url")


@dataclass
class ModelInfo:
    id: str
    provider: str
    kind: str
    draft: bool
    # text: USD per token {"prompt", "completion"}; None when variable or unknown.
    price: dict[str, float] | None = None
    run_count: int = 0
    inputs: dict[str, Any] = field(default_factory=dict)  # the input schema's properties
    required: list[str] = field(default_factory=list)
    # Replicate: an official model (run by name, billed per output) or a community one (run by
    # version, billed by GPU time); None when not known (a catalogue cached by an older cinefile).
    official: bool | None = None
    version: str | None = None  # Replicate: the latest version's id (64 hex), for community models

    @property
    def start_image_field(self) -> str | None:
        return start_image_field(self.inputs)

    @property
    def price_per_1k(self) -> float | None:
        if not self.price:
            return None
        return (self.price.get("prompt", 0.0) + self.price.get("completion", 0.0)) * 1000


def start_image_field(inputs: dict[str, Any]) -> str | None:
    for name in START_IMAGE_FIELDS:
        if name in inputs:
            return name
    for name, spec in inputs.items():
        if ("image" in name or "frame" in name) and isinstance(spec, dict) and spec.get("format") == "uri":
            return name
    return None


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def text_models(raw: list[dict]) -> list[ModelInfo]:
    models = []
    for item in raw:
        pricing = item.get("pricing") if isinstance(item.get("pricing"), dict) else {}
        prompt, completion = _decimal(pricing.get("prompt")), _decimal(pricing.get("completion"))
        known = prompt is not None and completion is not None and prompt >= 0 and completion >= 0
        free = item["id"].endswith(":free")
        draft = free or (known and prompt + completion < DRAFT_TEXT_MAX_PER_TOKEN)
        price = {"prompt": float(prompt), "completion": float(completion)} if known else None
        models.append(ModelInfo(item["id"], "openrouter", "text", bool(draft), {"prompt": 0.0, "completion": 0.0} if free else price))
    return models


def replicate_models(kind: str, raw: list[dict]) -> list[ModelInfo]:
    models: dict[str, ModelInfo] = {}
    for item in raw:
        model_id = f"{item['owner']}/{item['name']}"
        schema = (((item.get("latest_version") or {}).get("openapi_schema") or {}).get("components") or {}).get("schemas") or {}
        input_schema = schema.get("Input") if isinstance(schema.get("Input"), dict) else {}
        properties = input_schema.get("properties") if isinstance(input_schema.get("properties"), dict) else {}
        required = input_schema.get("required") if isinstance(input_schema.get("required"), list) else []
        run_count = item.get("run_count") if isinstance(item.get("run_count"), int) else 0
        official = item.get("is_official") if isinstance(item.get("is_official"), bool) else None
        version = (item.get("latest_version") or {}).get("id")
        models.setdefault(model_id, ModelInfo(model_id, "replicate", kind, bool(DRAFT_NAME.search(item["name"])),
                                              None, run_count, properties, required, official,
                                              version if isinstance(version, str) and version else None))
    return list(models.values())


# A command waits this long in all for the model lists (a hanging API must not hold it for
# minutes); a fetch that failed is not tried again for FAILURE_MEMORY_S, so that planning and
# running one command ask each list at most once. Either way the cached list, however old, is used.
LIST_DEADLINE_S = 20.0
FAILURE_MEMORY_S = 600.0


class _Fetches:
    """The model-list fetches of one command (of one index: a command opens one; a studio keeps
    one, and so starts afresh every FAILURE_MEMORY_S): the failures, and when the first began."""

    def __init__(self) -> None:
        self.born = time.monotonic()
        self.failed: dict[str, GenerationError] = {}
        self.started: tuple[Clock, float] | None = None
        self.lock = threading.Lock()

    def deadline(self, clock: Clock):
        with self.lock:
            if self.started is None:
                self.started = (clock, clock.now())
        return http_deadline(clock, self.started[1] + LIST_DEADLINE_S)


_FETCHES: weakref.WeakKeyDictionary[Index, _Fetches] = weakref.WeakKeyDictionary()
_FETCHES_LOCK = threading.Lock()


def _fetches_of(index: Index) -> _Fetches:
    with _FETCHES_LOCK:
        fetches = _FETCHES.get(index)
        if fetches is None or time.monotonic() - fetches.born > FAILURE_MEMORY_S:
            fetches = _FETCHES[index] = _Fetches()
        return fetches


def ago(seconds: float) -> str:
    """An age as a person says it: `just now`, `5 min ago`, `3 h ago`, `2 days ago`."""
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60:.0f} min ago"
    if seconds < 2 * 86400:
        return f"{seconds // 3600:.0f} h ago"
    return f"{seconds // 86400:.0f} days ago"


class Catalog:
    def __init__(self, index: Index, openrouter: OpenRouter | None, replicate: Replicate | None,
                 now: Callable[[], float] = time.time, ttl: float = CATALOG_TTL_S) -> None:
        self.index = index
        self.openrouter = openrouter
        self.replicate = replicate
        self.now = now
        self.ttl = ttl
        # Lines to show: a list used from the cache because a fresh one could not be had.
        self.notes: list[str] = []
        self.offline: set[str] = set()  # the kinds whose list came from that cache

    def models(self, kind: str, refresh: bool = False) -> list[ModelInfo]:
        """The list of `kind`: cached for a day, else asked for (at most once per command),
        else the cached one however old, with a note that says so; an error when there is none."""
        cached = self.cached(kind)
        if not refresh and cached is not None and self.now() - cached[0] < self.ttl:
            return cached[1]
        fetches = _fetches_of(self.index)
        failure = fetches.failed.get(kind)
        if failure is None:
            try:
                models = self._fetch_within(kind, fetches)
            except GenerationError as error:
                failure = fetches.failed[kind] = error
            else:
                with self.index.write() as db:
                    db["model_catalog"].upsert({"kind": kind, "fetched_at": self.now(),
                                                "data": json.dumps([asdict(m) for m in models])}, pk="kind")
                return models
        if cached is None:
            raise failure
        self._note_cached(kind, cached[0], failure)
        return cached[1]

    def _fetch_within(self, kind: str, fetches: _Fetches) -> list[ModelInfo]:
        provider = self.openrouter if kind == "text" else self.replicate
        if provider is None:
            return self._fetch(kind)  # says which key it needs
        with fetches.deadline(provider.api.clock):
            return self._fetch(kind)

    def _note_cached(self, kind: str, fetched_at: float, failure: GenerationError) -> None:
        network = isinstance(failure, ApiError) and failure.status is None
        why = "the network is unreachable" if network else f"a new list could not be had: {failure}"
        note = f"{kind} models as of {ago(self.now() - fetched_at)} (cached; {why})"
        self.offline.add(kind)
        if note not in self.notes:
            self.notes.append(note)

    def cached(self, kind: str) -> tuple[float, list[ModelInfo]] | None:
        """When the list of `kind` was last fetched, and the list, however old; None if never.
        Without a key it is what cinefile can say about the models a key would use."""
        rows = self.index.query("SELECT fetched_at, data FROM model_catalog WHERE kind = ?", [kind])
        if not rows:
            return None
        return rows[0]["fetched_at"], [ModelInfo(**m) for m in json.loads(rows[0]["data"])]

    def _fetch(self, kind: str) -> list[ModelInfo]:
        if kind == "text":
            if self.openrouter is None:
                raise GenerationError("listing OpenRouter models needs a key: set OPENROUTER_API_KEY")
            return text_models(self.openrouter.models())
        if self.replicate is None:
            raise GenerationError("listing Replicate models needs a key: set REPLICATE_API_TOKEN (or REPLICATE_API_KEY)")
        raw: list[dict] = []
        for slug in COLLECTIONS[kind]:
            try:
                raw += self.replicate.collection(slug)
            except GenerationError as error:
                if slug in OPTIONAL_COLLECTIONS and getattr(error, "status", None) == 404:
                    continue
                raise
        return replicate_models(kind, raw)

    def choose(self, kind: str, mode: str, configured: str | None, *, start_image: bool | None = None) -> ModelInfo:
        """The model for a generation. `start_image`: True for image-to-video, False for text-to-video."""
        models = self.models(kind)
        if configured:
            found = next((m for m in models if m.id == configured), None)
            return _priced(found) if found else self._lookup(kind, configured)
        if kind == "text" and mode == "final":
            found = next((m for m in models if m.id == DEFAULT_FINAL_TEXT), None)
            if found is None:  # said before anything is spent, never run on a guess
                raise GenerationError(f"OpenRouter: `{DEFAULT_FINAL_TEXT}`, cinefile's final text model, is not in "
                                      "OpenRouter's list: name one as [models] text in cinefile.toml (see `cinefile "
                                      "models --kind text --final`)")
            return _priced(found)
        candidates = [m for m in models if m.draft == (mode == "draft")] or models
        if start_image:
            candidates = [m for m in candidates if m.start_image_field]
        elif start_image is False:  # text-to-video: no start image, or only an optional one
            candidates = [m for m in candidates if m.start_image_field not in m.required]
        if not candidates:
            what = {True: "image-to-video ", False: "text-to-video "}.get(start_image, "") if kind == "video" else ""
            raise GenerationError(f"no {mode} {what}{kind} model found: name one under [models] in cinefile.toml "
                                  "(see `cinefile models`)")
        if kind == "text":
            return _priced(min(candidates, key=lambda m: (m.price_per_1k if m.price_per_1k is not None else 1e9, m.id)))
        return min(candidates, key=lambda m: (-m.run_count, m.id))

    def text_fallback(self, model_id: str) -> ModelInfo | None:
        """The model draft text falls back to when the account's limit on `:free` models is
        reached: the cheapest draft model with a price that is not free (any free one would be
        refused too)."""
        candidates = [m for m in self.models("text")
                      if m.draft and m.price_per_1k is not None and not m.id.endswith(":free") and m.id != model_id]
        return min(candidates, key=lambda m: (m.price_per_1k, m.id), default=None)

    def _lookup(self, kind: str, model_id: str) -> ModelInfo:
        if kind == "text":
            raise GenerationError(f"OpenRouter: model `{model_id}` does not exist: pick one from `cinefile models --kind text` "
                                  "and set it in cinefile.toml")
        if self.replicate is None:
            raise GenerationError("looking up a Replicate model needs a key: set REPLICATE_API_TOKEN")
        item = self.replicate.model(model_id.partition(":")[0])
        found = replicate_models(kind, [item])
        if not found:
            raise GenerationError(f"Replicate: model `{model_id}` does not exist: pick one from `cinefile models`")
        found[0].id = model_id
        return found[0]


def _priced(model: ModelInfo) -> ModelInfo:
    """A text model whose cost can be estimated, and so kept within the budget, before it runs."""
    if model.kind == "text" and model.price is None:
        raise GenerationError(f"OpenRouter: model `{model.id}` has no fixed price, so its cost cannot be estimated "
                              "or kept within the budget: pick one with a price from `cinefile models --kind text`")
    return model
