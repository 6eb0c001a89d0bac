"""Never pay twice: every request's result, kept under a key made of everything that shapes it.

The key is the SHA-256 of provider, model, prompt, params, seed and the hashes of input assets.
Entries are files (`assets/cache/<key>.json`) rather than rows, because project.db is derived
and may be deleted at any time, while a paid result must never be lost. An entry is written as
soon as the provider answers, before the block is touched.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from cinefile.daemon.atomic import write_atomic

from .assets import AssetStore, StoredAsset

CACHE_FOLDER = "cache"


def cache_key(provider: str, model: str, prompt: str, params: dict[str, Any], seed: int, inputs: list[str]) -> str:
    canonical = json.dumps({"provider": provider, "model": model, "prompt": prompt, "params": params, "seed": seed,
                            "inputs": sorted(inputs)}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class RequestCache:
    def __init__(self, store: AssetStore) -> None:
        self.store = store
        self.folder: Path = store.folder / CACHE_FOLDER

    def get(self, key: str) -> dict | None:
        """The earlier result for this key, or None (also when one of its files was deleted)."""
        try:
            entry = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict):
            return None
        try:
            assets = [StoredAsset.from_json(a) for a in entry.get("assets", [])]
        except (KeyError, TypeError, ValueError):
            return None
        if any(not self.store.path_of(a).is_file() for a in assets):
            return None
        return entry

    def put(self, key: str, entry: dict) -> None:
        write_atomic(self.folder / f"{key}.json", json.dumps(entry, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
