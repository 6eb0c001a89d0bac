"""The animatic's encoded parts, kept between exports in exports/.animatic-cache/ (inside the
project, never indexed: exports/ holds no blocks), so that a new export encodes only the
parts whose inputs changed.

A part is stored as KEY.mkv (its picture) and KEY.flac (its sound, lossless and small where
it is silent), KEY a hash of everything that makes its bytes: the ffmpeg input options and
filter graph with each file named by its content, and the ffmpeg and Pillow versions. A part
is written under a temporary name and renamed once whole, so a stopped export leaves no
half part under a real key; what no export uses any more is removed after the next one."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

from ..inside import folder_inside
from ..project import Project

CACHE_FOLDER = ".animatic-cache"
VIDEO, AUDIO = ".mkv", ".flac"
_KEY = re.compile(r"[0-9a-f]{64}")


def part_key(*inputs: object) -> str:
    """The key of a part from what makes it (JSON-able values)."""
    return hashlib.sha256(json.dumps(inputs, separators=(",", ":")).encode("utf-8")).hexdigest()


class PartCache:
    def __init__(self, project: Project) -> None:
        # Refused when exports/ (or the cache) is a symlink out of the project.
        self.folder = folder_inside(project.root, project.exports / CACHE_FOLDER)
        self.folder.mkdir(parents=True, exist_ok=True)

    def files(self, key: str) -> tuple[Path, Path]:
        return self.folder / f"{key}{VIDEO}", self.folder / f"{key}{AUDIO}"

    def pending(self, key: str) -> tuple[Path, Path]:
        """Where a part is encoded before it is whole."""
        return self.folder / f"new-{key}{VIDEO}", self.folder / f"new-{key}{AUDIO}"

    def has(self, key: str) -> bool:
        return all(path.is_file() for path in self.files(key))

    def keep(self, key: str) -> None:
        """The part encoded at `pending(key)`, now whole: under its key."""
        for pending, final in zip(self.pending(key), self.files(key)):
            os.replace(pending, final)

    def discard(self, key: str) -> None:
        for path in self.pending(key):
            path.unlink(missing_ok=True)

    def keep_only(self, keys: set[str]) -> None:
        """Remove every part (and leftover) that is not one of `keys`."""
        for path in self.folder.iterdir():
            stem = path.name.partition(".")[0]
            if not (_KEY.fullmatch(stem) and stem in keys and path.suffix in (VIDEO, AUDIO)) and path.is_file():
                path.unlink(missing_ok=True)
