"""What assets/ holds here: `<sha256>.<ext>` files and their `meta/<sha256>.json` records."""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..index.asset_index import META_FOLDER, asset_names
from ..inside import regular_file

ASSET_NAME = re.compile(r"^([0-9a-f]{64})\.(\w+)$")
META_NAME = re.compile(r"^([0-9a-f]{64})\.json$")


def _names(folder: Path, root: Path, pattern: re.Pattern) -> dict[str, str]:
    """sha256 -> file name, for the regular files in `folder` (inside the project) named by `pattern`."""
    found: dict[str, str] = {}
    try:
        entries = list(os.scandir(folder))
    except OSError:  # no assets/ yet (a fresh clone): nothing here
        return found
    for entry in entries:
        match = pattern.match(entry.name)
        # A symlink is followed only when it stays inside the project; a FIFO or device never counts.
        if match and (entry.is_file(follow_symlinks=False) or regular_file(root, entry.path) is not None):
            found[match.group(1)] = entry.name
    return found


def local_assets(root: Path, wanted: set[str] | None = None) -> dict[str, str]:
    """sha256 -> `<sha256>.<ext>`, every asset file in assets/ (or those of the `wanted`
    hashes): one listing, as sync makes it."""
    return asset_names(root / "assets", wanted)


def local_metas(root: Path) -> dict[str, str]:
    """sha256 -> `<sha256>.json`, every generation record in assets/meta/."""
    return _names(root / "assets" / META_FOLDER, root, META_NAME)
