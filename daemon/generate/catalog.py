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
import time
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from cinefile.daemon.index.db import Index

from .errors import GenerationError
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
        models.setdefault(model_id, ModelInfo(model_id, "replicate", kind, bool(DRAFT_NAME.search(item["name"])),
                                              None, run_count, properties, required))
    return list(models.values())


class Catalog:
    def __init__(self, index: Index, openrouter: OpenRouter | None, replicate: Replicate | None,
                 now: Callable[[], float] = time.time, ttl: float = CATALOG_TTL_S) -> None:
        self.index = index
        self.openrouter = openrouter
        self.replicate = replicate
        self.now = now
        self.ttl = ttl

    def models(self, kind: str, refresh: bool = False) -> list[ModelInfo]:
        if not refresh:
            cached = self.cached(kind)
            if cached is not None and self.now() - cached[0] < self.ttl:
                return cached[1]
        models = self._fetch(kind)
        with self.index.write() as db:
            db["model_catalog"].upsert({"kind": kind, "fetched_at": self.now(),
                                        "data": json.dumps([asdict(m) for m in models])}, pk="kind")
        return models

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
            return found or self._lookup(kind, configured)
        if kind == "text" and mode == "final":
            found = next((m for m in models if m.id == DEFAULT_FINAL_TEXT), None)
            return found or ModelInfo(DEFAULT_FINAL_TEXT, "openrouter", "text", False)
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
            return min(candidates, key=lambda m: (m.price_per_1k if m.price_per_1k is not None else 1e9, m.id))
        return min(candidates, key=lambda m: (-m.run_count, m.id))

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
