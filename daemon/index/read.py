"""Reading one block file into what the index stores of it.

A `Read` holds only plain values (strings, numbers, tuples), ready to insert, so a read made
in a worker process costs little to send back (pickling whole Blocks cost more than parsing
them: measured).
"""

from __future__ import annotations

import json
import os
from json.encoder import c_make_encoder, encode_basestring, encode_basestring_ascii
from pathlib import Path
from typing import Any, Callable, NamedTuple

from cinefile.format.block import Block
from cinefile.format.catalog import MAX_FILE_BYTES, PHASES
from cinefile.format.hashing import bytes_hash
from cinefile.format.parse import oversized_block, parse_block
from cinefile.format.problems import Problem

from .walk import FileStat

# The columns of `blocks` a file's content decides, in the order of `Read.values`.
BLOCK_COLUMNS = ("key", "path", "type", "title", "phase", "tab_id", "parent_key", "content", "tags", "content_hash",
                 "file_hash", "mtime_ns", "size", "frontmatter", "refs", "id_range", "record", "problems")
_TAB_IDS = {phase: i + 1 for i, phase in enumerate(PHASES)}


def compact_encoder(ensure_ascii: bool) -> Callable[[Any], str]:
    """JSONEncoder().encode for values built here (never circular, nothing but JSON types),
    without building the C encoder anew on every call: half the cost for the small lists
    a block has several of (measured). The same text; the plain encoder where there is no C one."""
    if c_make_encoder is None:
        return json.JSONEncoder(ensure_ascii=ensure_ascii).encode
    iterencode = c_make_encoder(None, None, encode_basestring_ascii if ensure_ascii else encode_basestring,
                                None, ": ", ", ", False, False, True)
    return lambda value: "".join(iterencode(value, 0))


_TEXT_JSON = compact_encoder(ensure_ascii=False)
_JSON = compact_encoder(ensure_ascii=True)
# Frontmatter may hold anything YAML makes (dates, ...): the full encoder, built once.
_FRONTMATTER_JSON = json.JSONEncoder(ensure_ascii=False, default=str).encode
_UNREADABLE_CODES = ("binary", "not-utf8", "too-large")


class Read(NamedTuple):
    path: str
    key: str
    readable: bool
    file_hash: str
    stat: FileStat
    text: str | None  # the file's text, for history; None when it is not text
    values: tuple  # BLOCK_COLUMNS
    dependencies: tuple[tuple[str, str | None], ...]  # (target id, relation), in file order
    assets: tuple[dict[str, Any], ...]


def read_file(root: Path | str, rel: str, stat: FileStat) -> Read | None:
    """Read and parse one file; None when it vanished before it could be read."""
    if stat.size > MAX_FILE_BYTES:
        return _read(oversized_block(rel, stat.size), f"size:{stat.size}:{stat.mtime_ns}", stat, None)
    try:
        with open(os.path.join(root, rel), "rb") as handle:  # not pathlib's `/`: a tenth of the read
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
        block = oversized_block(rel, 0)
        block.problems = [Problem("unreadable", f"cannot read the file ({reason}): check its permissions")]
        return _read(block, f"unreadable:{stat.mtime_ns}", stat, None)
    block = parse_block(rel, data)
    text = None if block.problems and block.problems[0].code in _UNREADABLE_CODES else data.decode("utf-8")
    return _read(block, bytes_hash(data), FileStat(stat.mtime_ns, len(data)), text)


def _read(block: Block, file_hash: str, stat: FileStat, text: str | None) -> Read:
    values = (
        block.id, block.path, block.type, block.title, block.phase, _TAB_IDS.get(block.phase),
        block.parent.target if block.parent else None, block.body, _TEXT_JSON(block.tags), block.content_hash,
        file_hash, stat.mtime_ns, stat.size, _FRONTMATTER_JSON(block.frontmatter),
        _JSON([r.to_json() for r in block.refs]), _JSON(block.id_range.to_json()),
        _JSON(block.record) if block.record is not None else None,
        _TEXT_JSON([p.to_json() for p in block.problems]),
    )
    dependencies = tuple((ref.target, ref.relation) for ref in block.dependencies)
    return Read(block.path, block.id, block.readable, file_hash, stat, text, values, dependencies, tuple(block.assets))
