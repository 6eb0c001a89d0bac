"""Planning a generation: which block, kind, mode, provider and model, the exact prompt and
parameters, the cost estimate and the cache key. Planning calls no generation API; it may read
the (free) model lists."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

from cinefile.daemon.index.db import Index
from cinefile.daemon.project import Project
from cinefile.format.catalog import TYPE_NAMES
from cinefile.format.stale import record_for

from .assets import AssetStore
from .cache import cache_key
from .catalog import Catalog, ModelInfo, start_image_field
from .costs import estimate_replicate, estimate_text, replicate_price
from .errors import GenerationError
from .keys import Keys, provider_of
from .prompts import build_context, render, template_for
from .providers.base import KINDS
from .providers.replicate import ASSET_PREFIX
from .reference_images import ReferenceImage, fit_references, reference_images, reference_model
from .settings import Settings
from .writeback import ROLE_OF_KIND

# Which block types each kind of generation is for.
KIND_TYPES: dict[str, tuple[str, ...]] = {
    "text": TYPE_NAMES,
    "image": ("shot", "character", "location", "prop", "costume", "style_guide"),
    "video": ("shot", "location"),
    "audio": ("scene", "shot", "location"),
}
# Video of these types starts from the block's approved still; others may be text-to-video.
NEEDS_STILL = ("shot",)
SYSTEM_PROMPT = "You are a careful screenwriter and production designer. Answer with the requested text only."
TEXT_PARAMS = {"max_tokens": 1500, "temperature": 0.8, "system": SYSTEM_PROMPT}
SPEECH_FIELDS = ("text", "prompt", "script", "input")
MUSIC_SECONDS = 15


@dataclass
class Job:
    key: str
    path: str
    type: str
    title: str
    kind: str
    mode: str
    provider: str
    model: str
    template: str  # where the template came from
    prompt: str
    params: dict[str, Any]
    seed: int
    inputs: tuple[str, ...]
    estimate: float
    cache_key: str
    record: dict[str, str]
    role: str | None
    purpose: str = ""
    references: list[str] = field(default_factory=list)
    price: dict[str, float] = field(default_factory=dict)
    reference_images: list[ReferenceImage] = field(default_factory=list)  # the looks its still goes with
    notes: list[str] = field(default_factory=list)  # what the plan should say about it (references left out)
    # Draft text on a `:free` model: the same job on the cheapest model that is not free, run when
    # the account's limit on free models is reached.
    fallback: Job | None = None

    def to_json(self) -> dict:
        return {"id": self.key, "path": self.path, "kind": self.kind, "mode": self.mode, "provider": self.provider,
                "model": self.model, "template": self.template, "prompt": self.prompt,
                "params": {k: v for k, v in self.params.items() if k != "system"}, "seed": self.seed,
                "inputs": list(self.inputs), "estimate_usd": round(self.estimate, 6), "cache_key": self.cache_key,
                "reference_images": [image.to_json() for image in self.reference_images], "notes": self.notes}


def seed_for(key: str) -> int:
    """A fixed seed per block, so that asking again gives (and caches) the same thing."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") % 2**31


def provider_for(kind: str, keys: Keys, mock: bool) -> str:
    """The provider that runs a kind: its own with a key, else the mock."""
    provider = provider_of(kind)
    return provider if not mock and getattr(keys, provider) is not None else "mock"


def approved_still(row: dict, store: AssetStore) -> str | None:
    entries = json.loads(row["frontmatter"] or "{}").get("assets") or []
    approved = [e["sha256"] for e in entries if isinstance(e, dict) and e.get("role") == "still" and e.get("approved")]
    if not approved:
        return None
    if store.find(approved[-1]) is None:
        raise GenerationError(f"`{row['key']}`: its approved still {approved[-1][:12]} is missing from assets/: "
                              "restore it, or generate and approve a new one")
    return approved[-1]


def _fit(model: ModelInfo | None, wanted: dict[str, Any]) -> dict[str, Any]:
    """The inputs a model takes, from what cinefile would like to give it (per its schema)."""
    if model is None or not model.inputs:
        return wanted
    fitted = {}
    for name, value in wanted.items():
        spec = model.inputs.get(name)
        if not isinstance(spec, dict):
            continue
        choices = spec.get("enum")
        if isinstance(choices, list) and value not in choices:
            continue
        fitted[name] = value
    missing = [r for r in model.required if r not in fitted]
    if missing:
        raise GenerationError(f"model `{model.id}` needs input {', '.join(missing)} that cinefile cannot fill: "
                              "pick another model under [models] in cinefile.toml")
    return fitted


class Planner:
    def __init__(self, project: Project, index: Index, settings: Settings, keys: Keys, catalog: Catalog,
                 store: AssetStore, mock: bool = False, models: Mapping[str, str] | None = None) -> None:
        self.project, self.index, self.settings = project, index, settings
        self.keys, self.catalog, self.store, self.mock = keys, catalog, store, mock
        # Models picked for this run by kind (the studio's sidebar): they win over cinefile.toml's.
        self.models = dict(models or {})

    def mode_of(self, row: dict, override: str | None) -> str:
        if override:
            return override
        block_mode = json.loads(row["frontmatter"] or "{}").get("mode")
        return block_mode if block_mode in ("draft", "final") else self.settings.mode

    def plan(self, key: str, kind: str, mode: str | None = None) -> Job:
        if kind not in KINDS:
            raise GenerationError(f"--kind {kind}: use one of {', '.join(KINDS)}")
        row = self.index.block(key)
        if row is None:
            raise GenerationError(f"no block `{key}`: check the id with `cinefile list`")
        if row["type"] not in KIND_TYPES[kind]:
            raise GenerationError(f"`{key}` is a {row['type'] or 'block without a type'}; {kind} generation is for "
                                  f"{', '.join(KIND_TYPES[kind])}")
        if any(p.get("severity") == "error" for p in json.loads(row["problems"] or "[]")):
            raise GenerationError(f"{row['path']}: has errors; fix them first (see `cinefile status`)")
        mode = self.mode_of(row, mode)
        provider = provider_for(kind, self.keys, self.mock)
        purpose = ("speech" if row["type"] == "scene" else "music") if kind == "audio" else ""
        catalog_kind = purpose or kind
        still = approved_still(row, self.store) if kind == "video" else None
        if kind == "video" and still is None and row["type"] in NEEDS_STILL:
            raise GenerationError(f"`{key}` has no approved still, and video starts from one: run `cinefile generate "
                                  f"{key} --kind image`, look at it, then `cinefile approve {key}`")
        looks = reference_images(self.index, row, lambda design: approved_still(design, self.store)) \
            if kind == "image" else []
        model = None
        if provider != "mock":
            start = None if kind != "video" else still is not None
            picked = self.models.get(catalog_kind) or self.models.get(kind)
            configured = picked or self.settings.model_for(catalog_kind, mode)
            # With references, auto-pick prefers a model that takes them.
            model = (reference_model(self.catalog.models(kind), mode) if looks and not configured else None) \
                or self.catalog.choose(catalog_kind, mode, configured, start_image=start)
        references = fit_references(model, looks, mode, self.catalog.models(kind) if looks and model else [])
        context = build_context(self.index, row, self.project.config.name)
        template_kind = catalog_kind
        source, template = template_for(self.project.root, row["type"], template_kind)
        prompt = render(template, context.variables, source)
        seed = seed_for(key)
        params = self._params(kind, purpose, model, prompt, seed, still, references.inputs)
        model_id = model.id if model else "mock"
        price: dict[str, float] = {}
        if provider == "mock":
            estimate = 0.0
        elif kind == "text":
            estimate = estimate_text(model, prompt, TEXT_PARAMS["max_tokens"])
        else:
            price = replicate_price(self.settings, model, kind, mode)  # billed as the model is: official or community
            estimate = estimate_replicate(price)
        inputs = ((still,) if still else ()) + tuple(image.sha256 for image in references.images)
        inputs_of_row = list(dict.fromkeys(ref[0] for ref in json.loads(row["refs"] or "[]")))
        job = Job(key, row["path"], row["type"], row["title"], kind, mode, provider, model_id, source, prompt, params, seed,
                   inputs, estimate, cache_key(provider, model_id, prompt, params, seed, list(inputs)),
                   record_for(inputs_of_row, self.index.hashes(inputs_of_row)), ROLE_OF_KIND.get(kind), purpose, context.references,
                   price, references.images, [references.note] if references.note else [])
        if kind == "text" and model is not None and mode == "draft" and not configured:
            job.fallback = self._text_fallback(job, model)
        return job

    def _text_fallback(self, job: Job, model: ModelInfo) -> Job | None:
        fallback = self.catalog.text_fallback(model.id) if model.id.endswith(":free") else None
        if fallback is None:
            return None
        return replace(job, model=fallback.id, estimate=estimate_text(fallback, job.prompt, TEXT_PARAMS["max_tokens"]),
                       cache_key=cache_key(job.provider, fallback.id, job.prompt, job.params, job.seed, list(job.inputs)),
                       fallback=None)

    def _params(self, kind: str, purpose: str, model: ModelInfo | None, prompt: str, seed: int,
                still: str | None, references: dict[str, Any]) -> dict[str, Any]:
        if kind == "text":
            return dict(TEXT_PARAMS)
        if kind == "image":
            return _fit(model, {"prompt": prompt, "aspect_ratio": "16:9", "num_outputs": 1, "output_format": "png",
                                "seed": seed, **references})
        if kind == "video":
            wanted: dict[str, Any] = {"prompt": prompt, "seed": seed}
            if still:
                field_name = start_image_field(model.inputs) if model else "image"
                if not field_name:
                    raise GenerationError(f"model `{model.id}` takes no start image: pick an image-to-video model "
                                          "under [models] video in cinefile.toml")
                wanted[field_name] = ASSET_PREFIX + still
            return _fit(model, wanted)
        if purpose == "speech":
            inputs = model.inputs if model and model.inputs else {"text": {}}
            field_name = next((f for f in SPEECH_FIELDS if f in inputs), "text")
            return _fit(model, {field_name: prompt, "seed": seed})
        return _fit(model, {"prompt": prompt, "duration": MUSIC_SECONDS, "seed": seed})
