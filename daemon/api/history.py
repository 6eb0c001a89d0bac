"""History and undo: every version of every block, and putting one back."""

from __future__ import annotations

import json
from dataclasses import dataclass

from cinefile.format.hashing import bytes_hash

from ..atomic import write_atomic
from ..errors import UserError
from ..index.db import Index
from ..index.sync import sync
from ..project import Project


@dataclass(frozen=True)
class Revision:
    version: int
    action: str
    timestamp: str
    path: str
    text: str | None  # the block's text after this change; None for a delete
    previous: str | None
    moved_from: str | None


def history(index: Index, key: str) -> list[Revision]:
    """All versions of a block, oldest first, following it across renames."""
    row = index.block(key)
    if row is not None:
        rows = index.query("SELECT * FROM history WHERE block_id = ? OR (block_key = ? AND block_id != ?) ORDER BY id",
                           [row["id"], key, row["id"]])
    else:
        rows = index.query("SELECT * FROM history WHERE block_key = ? ORDER BY id", [key])
    if not rows:
        raise UserError(f"no block `{key}` in the index, and none in its history: check the id with `cinefile list`")
    revisions = []
    for item in rows:
        payload = json.loads(item["payload"] or "{}")
        revisions.append(Revision(item["version"], item["action"], item["timestamp"], item["path"],
                                  payload.get("text"), payload.get("previous"), payload.get("from")))
    return revisions


def ensure_unchanged_on_disk(project: Project, row: dict) -> None:
    """Refuse to overwrite a file whose edits the index has not seen yet."""
    path = project.root / row["path"]
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise UserError(f"{row['path']}: deleted since the last sync: run `cinefile sync` first, or pass --force") from None
    if (stat.st_mtime_ns, stat.st_size) == (row["mtime_ns"], row["size"]):
        return
    if bytes_hash(path.read_bytes()) != row["file_hash"]:
        raise UserError(f"{row['path']}: changed on disk since the last sync: run `cinefile sync` first, or pass --force")


def undo(project: Project, index: Index, key: str, to_version: int | None = None, force: bool = False) -> tuple[Revision, str]:
    """Write an earlier version of a block back to its file. Returns what was restored and where."""
    revisions = history(index, key)
    current = revisions[-1]
    row = index.block(key)
    if row is not None and not force:
        ensure_unchanged_on_disk(project, row)
    if to_version is None:
        wanted = [r for r in revisions if r.version < current.version and r.text is not None]
        if not wanted:
            raise UserError(f"`{key}` has no earlier version to go back to (it is at version {current.version})")
        target = wanted[-1]
    else:
        matching = [r for r in revisions if r.version == to_version]
        if not matching:
            known = ", ".join(str(r.version) for r in revisions)
            raise UserError(f"`{key}` has no version {to_version}: its versions are {known}")
        target = matching[-1]
        if target.text is None:
            raise UserError(f"version {to_version} of `{key}` is its deletion; pick an earlier version")
    path = row["path"] if row is not None else current.path
    write_atomic(project.root / path, target.text)
    sync(project, index, scope=[path])
    return target, path
