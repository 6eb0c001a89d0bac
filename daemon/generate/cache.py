"""Never pay twice: every request's result, kept under a key made of everything that shapes it.

The key is the SHA-256 of provider, model, prompt, params, seed and the hashes of input assets.
Entries are files (`assets/cache/<key>.json`) rather than rows, because project.db is derived
and may be deleted at any time, while a paid result must never be lost. An entry is written as
soon as the provider answers, before the block is touched. A paid prediction whose output could
not be stored leaves a pending record (`<key>.pending.json`) instead, with its id.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from cinefile.daemon.atomic import write_atomic
from cinefile.daemon.inside import read_regular, regular_file

from .assets import AssetStore, StoredAsset

CACHE_FOLDER = "cache"
PENDING_SUFFIX = ".pending.json"


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
            entry = json.loads(read_regular(self.folder / f"{key}.json", self.store.root))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict):
            return None
        try:
            assets = [StoredAsset.from_json(a) for a in entry.get("assets", [])]
        except (KeyError, TypeError, ValueError):
            return None
        if any(regular_file(self.store.root, self.store.path_of(a)) is None for a in assets):
            return None
        return entry

    def put(self, key: str, entry: dict) -> None:
        text = json.dumps(entry, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        write_atomic(self.store.writable(self.folder) / f"{key}.json", text)
        self.drop_pending(key)

    # A pending record: a prediction paid for under this key whose output was never stored (its
    # download failed, or was aborted). The provider keeps the output for about an hour, so the
    # same request fetches it again from there instead of paying for a new one.

    def pending(self, key: str) -> dict | None:
        try:
            record = json.loads(read_regular(self.folder / f"{key}{PENDING_SUFFIX}", self.store.root))
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) and isinstance(record.get("prediction_id"), str) else None

    def put_pending(self, key: str, record: dict) -> None:
        text = json.dumps(record, indent=1, sort_keys=True) + "\n"
        write_atomic(self.store.writable(self.folder) / f"{key}{PENDING_SUFFIX}", text)

    def drop_pending(self, key: str) -> None:
        if self.pending(key) is not None:  # read first: only a record inside the project is removed
            (self.folder / f"{key}{PENDING_SUFFIX}").unlink(missing_ok=True)
