"""Reference images: the approved looks of what a shot shows, passed to its still so that
characters and places stay the same from shot to shot.

- Which: the approved still (`role: still`, `approved: true`) of each character, location,
  costume and prop the shot names in its own `dependencies`, in that order of types, and in
  the order the shot names them within a type. Only direct dependencies: a scene lists
  everyone in it, while a shot frames a few, and a face that is not in the frame would be
  put there. Design blocks without an approved still are passed over.
- Where: the input the model's schema has for them (REFERENCE_FIELDS, or any array of URIs
  named like an image or a reference), read from the schema as the start image of a video is,
  never assumed. An array takes up to its `maxItems`; a single URI input takes the first.
- How: as `asset:<sha256>` values, which the Replicate provider sends as data: URIs or file
  uploads. Their hashes are inputs of the job, so a new look is a new request (cache key).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cinefile.daemon.index.db import Index

from .catalog import ModelInfo
from .providers.replicate import ASSET_PREFIX

# What a still takes references for, and from which dependencies, in the order they are sent.
TAKES_REFERENCES = ("shot",)
REFERENCE_TYPES = ("character", "location", "costume", "prop")
# Input names models use for reference images: arrays first, then single URIs.
REFERENCE_FIELDS = ("image_input", "input_images", "reference_images", "images", "subject_reference",
                    "input_image", "reference_image")


@dataclass(frozen=True)
class ReferenceImage:
    """A design block's approved still, as it goes with a shot's still."""

    id: str
    type: str
    title: str
    sha256: str

    def to_json(self) -> dict:
        return {"id": self.id, "type": self.type, "title": self.title, "sha256": self.sha256}


@dataclass(frozen=True)
class ReferenceField:
    """The input a model takes reference images in: an array of URIs (`many`), or one URI."""

    name: str
    many: bool
    max_items: int | None = None

    @property
    def capacity(self) -> int | None:
        return self.max_items if self.many else 1


@dataclass
class FittedReferences:
    """What a still's request gets: the references that go, the inputs that carry them, and a
    note when some or all of them cannot go."""

    images: list[ReferenceImage] = field(default_factory=list)
    inputs: dict[str, Any] = field(default_factory=dict)
    note: str = ""


def _is_uri(spec: Any) -> bool:
    return isinstance(spec, dict) and spec.get("type", "string") == "string" and spec.get("format") == "uri"


def _field_of(name: str, spec: Any) -> ReferenceField | None:
    if not isinstance(spec, dict):
        return None
    if spec.get("type") == "array" and _is_uri(spec.get("items")):
        max_items = spec.get("maxItems")
        return ReferenceField(name, True, max_items if isinstance(max_items, int) and max_items > 0 else None)
    return ReferenceField(name, False) if _is_uri(spec) else None


def reference_field(inputs: dict[str, Any]) -> ReferenceField | None:
    """The input a model's schema takes reference images in, or None when it takes none."""
    for name in REFERENCE_FIELDS:
        found = _field_of(name, inputs.get(name))
        if found is not None:
            return found
    for name, spec in inputs.items():  # an array of URIs named like them, e.g. `reference_image_urls`
        found = _field_of(name, spec)
        if found is not None and found.many and ("image" in name or "reference" in name):
            return found
    return None


def reference_images(index: Index, row: dict, approved_still: Callable[[dict], str | None]) -> list[ReferenceImage]:
    """The approved looks a block's still goes with (see the module's docstring)."""
    if row["type"] not in TAKES_REFERENCES:
        return []
    named = dict.fromkeys(ref[0] for ref in json.loads(row["refs"] or "[]") if ref[1] == "dependency")
    found: list[ReferenceImage] = []
    for key in named:
        dependency = index.block(key)
        if dependency is None or dependency["type"] not in REFERENCE_TYPES:
            continue
        sha = approved_still(dependency)
        if sha is not None:
            found.append(ReferenceImage(key, dependency["type"], dependency["title"], sha))
    return sorted(found, key=lambda image: REFERENCE_TYPES.index(image.type))  # stable within a type


def takes_references(model: ModelInfo) -> bool:
    return reference_field(model.inputs) is not None


def reference_model(models: list[ModelInfo], mode: str) -> ModelInfo | None:
    """The most-run model of the mode that takes reference images, or None."""
    takers = [m for m in models if m.draft == (mode == "draft") and takes_references(m)]
    return min(takers, key=lambda m: (-m.run_count, m.id)) if takers else None


def fit_references(model: ModelInfo | None, images: list[ReferenceImage], mode: str,
                   listed: list[ModelInfo]) -> FittedReferences:
    """The references a still's request carries with `model` (None: the mock, which takes all
    of them). `listed`: the image models, for the note's suggestion when `model` takes none."""
    if not images or model is None:
        return FittedReferences(list(images))
    target = reference_field(model.inputs)
    if target is None:
        return FittedReferences(note=_none_taken(model, mode, listed))
    sent = images[:target.capacity] if target.capacity else list(images)
    values = [ASSET_PREFIX + image.sha256 for image in sent]
    note = ""
    if len(sent) < len(images):
        left = ", ".join(image.id for image in images[len(sent):])
        note = f"{len(sent)} of {len(images)} reference images: `{model.id}` takes at most {len(sent)}; left out: {left}"
    return FittedReferences(sent, {target.name: values if target.many else values[0]}, note)


def _none_taken(model: ModelInfo, mode: str, listed: list[ModelInfo]) -> str:
    setting = "[models.draft] image" if mode == "draft" else "[models] image"
    takers = sorted((m for m in listed if takes_references(m)), key=lambda m: (-m.run_count, m.id))
    example = f", e.g. {takers[0].id}" if takers else " (see `cinefile models --kind image`)"
    return f"no reference images: `{model.id}` takes none; set {setting} in cinefile.toml to one that does{example}"


def references_line(images: list[ReferenceImage]) -> str:
    """`with 2 references: mara (character, 6099a1b2c3d4), ferry-deck (location, …)`, or ''."""
    if not images:
        return ""
    listed = ", ".join(f"{image.id} ({image.type}, {image.sha256[:12]})" for image in images)
    return f"with {len(images)} reference{'s' if len(images) != 1 else ''}: {listed}"
