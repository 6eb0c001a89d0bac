"""Mark blocks up to date: record the current hashes of what they are made from."""

from __future__ import annotations

import json

from cinefile.format.edit import EditError, set_field
from cinefile.format.stale import record_for

from ..atomic import write_atomic
from ..errors import UserError
from ..index.db import Index
from ..index.sync import sync
from ..project import Project
from .history import ensure_unchanged_on_disk


def mark_fresh(project: Project, index: Index, keys: list[str]) -> list[str]:
    """Write `generated.from` into each block; returns the paths written."""
    hashes = index.hashes()
    written = []
    for key in keys:
        row = index.block(key)
        if row is None:
            raise UserError(f"no block `{key}`: check the id with `cinefile list`")
        ensure_unchanged_on_disk(project, row)
        inputs = list(dict.fromkeys(ref[0] for ref in json.loads(row["refs"])))
        frontmatter = json.loads(row["frontmatter"] or "{}")
        generated = frontmatter.get("generated")
        generated = dict(generated) if isinstance(generated, dict) else {}
        generated["from"] = record_for(inputs, hashes)
        path = project.root / row["path"]
        try:
            text = set_field(path.read_text(encoding="utf-8"), "generated", generated)
        except (EditError, UnicodeDecodeError) as error:
            reason = error if isinstance(error, EditError) else "the file is not UTF-8 text: save it as UTF-8 first"
            raise UserError(f"{row['path']}: {reason}") from None
        if not inputs:
            continue  # made from nothing: always fresh, nothing to record
        write_atomic(path, text)
        written.append(row["path"])
    if written:
        sync(project, index, scope=written)
    return written
