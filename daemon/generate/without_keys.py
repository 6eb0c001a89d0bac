"""What cinefile says when a provider has no key: that its kinds run on the free mock, and
what would run with the key (the model list last fetched, however old; else the models
cinefile.toml names and cinefile's defaults, with a line for each pick that needs the list)."""

from __future__ import annotations

from typing import Iterable

from .catalog import COLLECTIONS, DEFAULT_FINAL_TEXT, Catalog, ModelInfo
from .keys import KEY_HINTS, Keys, provider_of
from .providers.base import KINDS
from .settings import Settings

TIERS = ("draft", "final")


def kind_of(catalog_kind: str) -> str:
    """The kind of generation a model list serves: speech and music are audio."""
    return "audio" if catalog_kind in ("speech", "music") else catalog_kind


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def mock_notes(kinds: Iterable[str], keys: Keys, mock: bool) -> list[str]:
    """For a run: one line per provider whose kinds here run on the mock for want of its key."""
    if mock:
        return []  # asked for: nothing to explain
    wanted = set(kinds)
    notes = []
    for provider, (name, env) in KEY_HINTS.items():
        missing = [kind for kind in KINDS if kind in wanted and provider_of(kind) == provider]
        if missing and getattr(keys, provider) is None:
            verb = "runs" if len(missing) == 1 else "run"
            notes.append(f"no {name} key ({env} is not set): {_joined(missing)} {verb} in mock mode, free and offline")
    return notes


def no_key_note(provider: str, catalog_kinds: list[str]) -> str:
    """For a model listing: the provider's kinds run on the mock, and what follows would run."""
    name, env = KEY_HINTS[provider]
    kinds = list(dict.fromkeys(kind_of(k) for k in catalog_kinds))
    verb = "runs" if len(kinds) == 1 else "run"
    return f"no {name} key: {_joined(kinds)} {verb} on the free mock; with {env} these would run:"


def models_without_key(catalog: Catalog, settings: Settings, catalog_kind: str,
                       notes: list[str]) -> list[tuple[ModelInfo, str]]:
    """The models a key would use, with where cinefile knows each from; a line in `notes`
    for each pick only the provider's list can make."""
    cached = catalog.cached(catalog_kind)
    if cached is not None:
        return [(m, "cached list") for m in cached[1]]
    provider = provider_of(catalog_kind)
    found = []
    for tier in TIERS:
        named = settings.model_for(catalog_kind, tier)
        if named:
            found.append((ModelInfo(named, provider, catalog_kind, tier == "draft"), "cinefile.toml"))
        elif catalog_kind == "text" and tier == "final":
            found.append((ModelInfo(DEFAULT_FINAL_TEXT, provider, "text", False), "default"))
        elif catalog_kind == "text":
            notes.append("text draft: the cheapest OpenRouter model under $0.001 per 1k tokens, from its list")
        else:
            pick = "fast model (schnell, turbo, ...)" if tier == "draft" else "model that is not a fast one"
            collections = list(COLLECTIONS[catalog_kind])
            notes.append(f"{catalog_kind} {tier}: the most-run {pick} of Replicate's {_joined(collections)} "
                         f"collection{'s' if len(collections) > 1 else ''}")
    return found
