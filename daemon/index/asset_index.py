"""The `assets` and `block_assets` tables, rebuilt from what the files say.

A block's frontmatter `assets: [{sha256, role, approved}]` is the truth; the files live in
`assets/<sha256>.<ext>` with what made them in `assets/meta/<sha256>.json`. Sync calls
`link_assets` for every block it reads, so a deleted project.db comes back whole.

`assets/` is listed once per call, into a dict by hash, and only when a block links an asset
the index does not know yet: a glob per asset made a cold sync grow with the square of the
number of assets (10,000 blocks linking 5,000 assets: 17 s).
"""

from __future__ import annotations

import functools
import json
import mimetypes
import os
import re
from pathlib import Path
from typing import Iterable, NamedTuple

from ..inside import read_regular, regular_file, within
from .db import now_iso

META_FOLDER = "meta"
SHA256 = re.compile(r"[0-9a-f]{64}")
_EXTRA_TYPES = {".webp": "image/webp", ".wav": "audio/wav", ".flac": "audio/flac"}


class _AssetFile(NamedTuple):
    name: str
    size: int


def asset_files(folder: Path, wanted: set[str] | None = None) -> dict[str, _AssetFile]:
    """The file of each wanted hash (None: of every hash) in `folder`, with its size: a
    regular one inside the project (assets/ sits in the root), the first by name when there
    are several (`<sha256>.png` and `.webp`)."""
    return {sha256: _AssetFile(entry.name, (info or entry.stat(follow_symlinks=False)).st_size)
            for sha256, (entry, info) in _asset_entries(folder, wanted).items()}


def asset_names(folder: Path, wanted: set[str] | None = None) -> dict[str, str]:
    """sha256 -> file name, as `asset_files` finds them, with no stat of each file: what is
    here is all most callers ask (16 ms -> 5 ms for 4,000 assets, measured)."""
    return {sha256: entry.name for sha256, (entry, _) in _asset_entries(folder, wanted).items()}


def _asset_entries(folder: Path, wanted: set[str] | None) -> dict[str, tuple[os.DirEntry, os.stat_result | None]]:
    """The listing entry of each wanted hash's file, and the stat of its target when it is a
    symlink (kept only when it leads to a regular file inside)."""
    if wanted is not None and not wanted or not within(folder.parent, folder):
        return {}
    named = (lambda sha: sha in wanted) if wanted is not None else SHA256.fullmatch
    try:
        with os.scandir(folder) as listing:
            entries = sorted((entry for entry in listing if named(entry.name.partition(".")[0])),
                             key=lambda entry: entry.name)
    except OSError:
        return {}
    found: dict[str, tuple[os.DirEntry, os.stat_result | None]] = {}
    for entry in entries:
        sha256, dot, _ = entry.name.partition(".")
        if not dot or sha256 in found:
            continue
        # A plain regular file is told by the listing; a symlink must lead to one inside.
        if entry.is_file(follow_symlinks=False):
            found[sha256] = (entry, None)
        elif (info := regular_file(folder.parent, entry.path)) is not None:
            found[sha256] = (entry, info)
    return found


def _meta(folder: Path, sha256: str, present: dict[str, bool]) -> str:
    name = f"{sha256}.json"
    if name not in present:
        return "{}"  # most assets: no record to open, and no JSON to write (4,000 of them: 10 ms)
    # A plain file listed in a folder inside the project is inside; a symlink is followed
    # only to a file inside (realpath is most of the cost of reading a small file).
    root = folder.parent if present[name] else None
    try:
        data = json.loads(read_regular(folder / META_FOLDER / name, root))
    except (OSError, ValueError):
        data = {}
    return json.dumps(data if isinstance(data, dict) else {}, sort_keys=True, ensure_ascii=False)


def _meta_names(folder: Path) -> dict[str, bool]:
    """The names in assets/meta/, listed once (most assets made by hand have none to open),
    each with whether it is a symlink."""
    try:
        with os.scandir(folder / META_FOLDER) as listing:
            return {entry.name: entry.is_symlink() for entry in listing}
    except OSError:
        return {}


def _asset_ids(db, folder: Path, hashes: set[str]) -> dict[str, int]:
    """The assets row of each hash, added for those found in assets/ that the index lacks
    (linked in frontmatter but not in assets/, say not pulled yet: none)."""
    query = "SELECT hash, id FROM assets WHERE hash IN (SELECT value FROM json_each(?))"
    ids: dict[str, int] = dict(db.execute(query, [json.dumps(sorted(hashes))]).fetchall())
    files = asset_files(folder, hashes - ids.keys())
    if not files:
        return ids
    meta_names = _meta_names(folder) if within(folder.parent, folder / META_FOLDER) else {}
    now = now_iso()
    db.conn.executemany(
        "INSERT INTO assets (project_id, hash, path, mime_type, size_bytes, created_at, meta_json) VALUES (1, ?, ?, ?, ?, ?, ?)",
        [(sha256, f"assets/{file.name}", _mime(file.name), file.size, now, _meta(folder, sha256, meta_names))
         for sha256, file in sorted(files.items())])
    ids.update(db.execute(query, [json.dumps(sorted(files))]).fetchall())
    return ids


def _mime(name: str) -> str:
    """The media type of `<sha256>.<ext>`, which only its extension decides."""
    return _mime_of_extension(name.partition(".")[2])


@functools.lru_cache(maxsize=None)
def _mime_of_extension(extension: str) -> str:
    # Once per extension: guessing for each of 4,000 assets was half of linking them (measured).
    name = f"asset.{extension}"
    return (_EXTRA_TYPES.get(os.path.splitext(name)[1].lower()) or mimetypes.guess_type(name)[0]
            or "application/octet-stream")


def link_assets(db, assets_folder: Path, blocks: list[tuple[int, Iterable[dict]]], *, first: bool = False) -> None:
    """Replace the asset links of these blocks (block id, its frontmatter's `assets` entries);
    on a `first` sync, an empty index, there are none to replace."""
    if not blocks:
        return
    if not first:
        db.conn.executemany("DELETE FROM block_assets WHERE block_id = ?", [(block_id,) for block_id, _ in blocks])
    blocks = [(block_id, list(assets)) for block_id, assets in blocks]
    ids = _asset_ids(db, assets_folder, {entry["sha256"] for _, assets in blocks for entry in assets})
    rows = {}
    for block_id, assets in blocks:
        for entry in assets:
            asset_id = ids.get(entry["sha256"])
            if asset_id is not None:
                rows[(block_id, asset_id)] = (block_id, asset_id, entry["role"], 1 if entry.get("approved") else 0)
    if rows:
        db.conn.executemany("INSERT OR REPLACE INTO block_assets (block_id, asset_id, role, approved) VALUES (?, ?, ?, ?)",
                            list(rows.values()))
