"""The `assets` and `block_assets` tables, rebuilt from what the files say.

A block's frontmatter `assets: [{sha256, role, approved}]` is the truth; the files live in
`assets/<sha256>.<ext>` with what made them in `assets/meta/<sha256>.json`. Sync calls
`link_assets` for every block it reads, so a deleted project.db comes back whole.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Iterable

from .db import now_iso

META_FOLDER = "meta"
_EXTRA_TYPES = {".webp": "image/webp", ".wav": "audio/wav", ".flac": "audio/flac"}


def _find_file(folder: Path, sha256: str) -> Path | None:
    for path in sorted(folder.glob(f"{sha256}.*")):
        if path.is_file() and not path.name.startswith("."):
            return path
    return None


def _meta(folder: Path, sha256: str) -> str:
    try:
        data = json.loads((folder / META_FOLDER / f"{sha256}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    return json.dumps(data if isinstance(data, dict) else {}, sort_keys=True, ensure_ascii=False)


def _asset_id(db, folder: Path, sha256: str) -> int | None:
    row = db.execute("SELECT id FROM assets WHERE hash = ?", [sha256]).fetchone()
    if row:
        return row[0]
    path = _find_file(folder, sha256)
    if path is None:
        return None  # linked in frontmatter but not in assets/ (say, not pulled yet)
    mime = _EXTRA_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    cursor = db.execute("INSERT INTO assets (project_id, hash, path, mime_type, size_bytes, created_at, meta_json) "
                        "VALUES (1, ?, ?, ?, ?, ?, ?)",
                        [sha256, f"assets/{path.name}", mime, path.stat().st_size, now_iso(), _meta(folder, sha256)])
    return cursor.lastrowid


def link_assets(db, assets_folder: Path, blocks: list[tuple[int, Iterable[dict]]]) -> None:
    """Replace the asset links of these blocks (block id, its frontmatter's `assets` entries)."""
    if not blocks:
        return
    db.conn.executemany("DELETE FROM block_assets WHERE block_id = ?", [(block_id,) for block_id, _ in blocks])
    rows = {}
    for block_id, assets in blocks:
        for entry in assets:
            asset_id = _asset_id(db, assets_folder, entry["sha256"])
            if asset_id is not None:
                rows[(block_id, asset_id)] = (block_id, asset_id, entry["role"], 1 if entry.get("approved") else 0)
    if rows:
        db.conn.executemany("INSERT OR REPLACE INTO block_assets (block_id, asset_id, role, approved) VALUES (?, ?, ?, ?)",
                            list(rows.values()))
