"""Reading one block file into what the index stores of it.

A `Read` holds only plain values (strings, numbers, tuples), ready to insert, so a read made
in a worker process costs little to send back (pickling whole Blocks cost more than parsing
them: measured).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from stat import S_ISREG
from typing import Any, NamedTuple

import orjson

from cinefile.format.block import Block
from cinefile.format.catalog import MAX_FILE_BYTES, PHASES
from cinefile.format.hashing import bytes_hash
from cinefile.format.parse import oversized_block, parse_block
from cinefile.format.problems import ERROR, Problem

from ..inside import NotRegularFile, kind_of
from .texts import pack, unpack
from .walk import FileStat

# The columns of `blocks` a file's content decides, in the order of `Read.values`.
BLOCK_COLUMNS = ("key", "path", "type", "title", "phase", "tab_id", "parent_key", "content", "tags", "content_hash",
                 "file_hash", "mtime_ns", "size", "frontmatter", "refs", "id_range", "record", "problems", "errors")
_TAB_IDS = {phase: i + 1 for i, phase in enumerate(PHASES)}


def compact_json(value: Any) -> str:
    """JSON of values built here (nothing but JSON types), with no spaces, in C: about a tenth
    of the standard encoder's time for a block's small lists, and smaller rows (measured)."""
    return orjson.dumps(value).decode("utf-8")


def frontmatter_json(frontmatter: dict) -> str:
    """Frontmatter may hold anything YAML makes: dates as before (`str` of a datetime, ISO
    dates), keys that are not strings as strings; what orjson refuses (an integer past 64
    bits, a key that is a list) goes through the standard encoder as it always did."""
    try:
        return orjson.dumps(frontmatter, default=str, option=_FRONTMATTER_OPTIONS).decode("utf-8")
    except (TypeError, orjson.JSONEncodeError):
        return _FRONTMATTER_JSON(frontmatter)


_FRONTMATTER_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
_FRONTMATTER_JSON = json.JSONEncoder(ensure_ascii=False, default=str).encode
_UNREADABLE_CODES = ("binary", "not-utf8", "too-large")
# O_NONBLOCK: should a FIFO take the file's place after the walk, opening it does not wait for a writer.
_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC


def error_count(problems) -> int:
    """How many of these problems are errors: the index keeps the count beside the problems,
    so that counting a project's errors decodes none of them."""
    return sum(1 for problem in problems if problem.severity == ERROR)


class Read(NamedTuple):
    path: str
    key: str
    readable: bool
    file_hash: str
    stat: FileStat
    stored: str | bytes | None  # the file's text as history keeps it (texts.pack); None when it is not text
    values: tuple  # BLOCK_COLUMNS
    dependencies: tuple[tuple[str, str | None], ...]  # (target id, relation), in file order
    assets: tuple[dict[str, Any], ...]

    @property
    def text(self) -> str | None:
        return unpack(self.stored)


def read_file(root: Path | str, rel: str, stat: FileStat) -> Read | None:
    """Read and parse one file; None when it vanished before it could be read."""
    if stat.size > MAX_FILE_BYTES:
        return _read(oversized_block(rel, stat.size), f"size:{stat.size}:{stat.mtime_ns}", stat, None)
    try:
        # Not pathlib's `/`: a tenth of the read.
        with open(os.open(os.path.join(root, rel), _READ_FLAGS), "rb") as handle:
            if not S_ISREG(mode := os.fstat(handle.fileno()).st_mode):
                raise NotRegularFile(rel, f"{kind_of(mode)}, not a regular file")
            # What the stat said, plus a byte to see a file that grew since, up to the limit.
            # Never read(MAX_FILE_BYTES + 1) at once: that allocates 5 MB for every file, and
            # was a quarter of a cold sync (measured).
            data = handle.read(stat.size + 1)
            if len(data) > stat.size:
                data += handle.read(MAX_FILE_BYTES + 1 - len(data))
    except FileNotFoundError:
        return None
    except OSError as error:
        reason = "permission denied" if isinstance(error, PermissionError) else (error.strerror or str(error))
        todo = "replace it with a Markdown file" if isinstance(error, NotRegularFile) else "check its permissions"
        block = oversized_block(rel, 0)
        block.problems = [Problem("unreadable", f"cannot read the file ({reason}): {todo}")]
        return _read(block, f"unreadable:{stat.mtime_ns}", stat, None)
    block = parse_block(rel, data)
    stored = None if block.problems and block.problems[0].code in _UNREADABLE_CODES else pack(data, data.decode("utf-8"))
    return _read(block, bytes_hash(data), FileStat(stat.mtime_ns, len(data)), stored)


def _read(block: Block, file_hash: str, stat: FileStat, stored: str | bytes | None) -> Read:
    values = (
        block.id, block.path, block.type, block.title, block.phase, _TAB_IDS.get(block.phase),
        block.parent.target if block.parent else None, block.body, compact_json(block.tags), block.content_hash,
        file_hash, stat.mtime_ns, stat.size, frontmatter_json(block.frontmatter),
        compact_json([r.to_json() for r in block.refs]), compact_json(block.id_range.to_json()),
        compact_json(block.record) if block.record is not None else None,
        compact_json([p.to_json() for p in block.problems]), error_count(block.problems),
    )
    dependencies = tuple((ref.target, ref.relation) for ref in block.dependencies)
    return Read(block.path, block.id, block.readable, file_hash, stat, stored, values, dependencies, tuple(block.assets))
