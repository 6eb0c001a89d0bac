"""The assets the blocks link that are not in assets/ here: in a clone whose media live in a
remote store, not pulled yet. Worked out when asked (one listing of assets/, one query), never
stored: files arrive by `cinefile assets pull`, which no sync of the blocks would notice."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import orjson

from ..index.db import Index
from ..inside import read_regular
from .local import local_assets

MISSING_CODE = "asset-not-here"
PULL_COMMAND = "cinefile assets pull"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")  # any other value is the parser's problem (bad-assets), not a missing file


@dataclass(frozen=True)
class MissingAsset:
    """A link in a block's `assets` to a file that is not here; `line`, 1-based, is where the
    link is written in the block's file."""

    sha256: str
    role: str
    block: str
    path: str
    line: int = 1

    def message(self, remote: bool) -> str:
        what = f"asset {self.sha256[:12]}… ({self.role}) is not in assets/ here"
        if remote:
            return f"{what}: fetch it from the remote store with `{PULL_COMMAND}`"
        return f"{what}: put the file back, or generate it again"

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Linking:
    """A block that links assets: its index row id, id, path and valid `assets` entries."""

    row_id: int
    block: str
    path: str
    entries: list[dict]


def not_here_line(count: int, remote: bool) -> str:
    """One line for `count` linked assets missing from one block, and what to do."""
    fix = f"fetch them with `{PULL_COMMAND}`" if remote else "put the files back, or generate them again"
    return f"{count} linked asset(s) not in assets/ here: {fix}"


# instr first: most frontmatters name no assets, and parsing each one's JSON to find out was
# half of `cinefile status` looking for missing assets (0.14 s -> 0.06 s at 100,000 blocks);
# the same test is the index's partial index `idx_blocks_linking_assets` (m008), which the
# query uses to read only those rows (0.06 s -> 0.01 s).
LINKING_SQL = ("SELECT id, key, path, json_extract(frontmatter, '$.assets') AS assets FROM blocks "
               "WHERE instr(frontmatter, '\"assets\"') AND json_extract(frontmatter, '$.assets') IS NOT NULL")


def linking_blocks(index: Index, paths: Iterable[str] | None = None) -> list[Linking]:
    """Every block (at `paths`, or all) whose frontmatter links assets by a well-formed hash."""
    wanted = None if paths is None else set(paths)
    found = []
    with index.lock:
        rows = index.db.execute(LINKING_SQL).fetchall()
    for row_id, key, path, assets in rows:
        if wanted is not None and path not in wanted:
            continue
        try:
            entries = orjson.loads(assets)
        except ValueError:
            continue
        valid = [{"sha256": e["sha256"], "role": str(e.get("role") or "reference"), "approved": bool(e.get("approved"))}
                 for e in (entries if isinstance(entries, list) else [])
                 if isinstance(e, dict) and isinstance(e.get("sha256"), str) and _SHA256.match(e["sha256"])]
        if valid:
            found.append(Linking(row_id, key or "", path, valid))
    return found


def referenced(index: Index, paths: Iterable[str] | None = None) -> list[tuple[str, str, str, str]]:
    """(sha256, role, block id, block path) for every asset link, in the blocks at `paths` or all."""
    return [(e["sha256"], e["role"], b.block, b.path) for b in linking_blocks(index, paths) for e in b.entries]


def referenced_hashes(index: Index) -> set[str]:
    return {sha for sha, *_ in referenced(index)}


def missing_assets(index: Index, root: Path, paths: Iterable[str] | None = None) -> list[MissingAsset]:
    """The asset links (in the blocks at `paths`, or in all) whose file is not in assets/."""
    links = referenced(index, paths)
    if not links:
        return []
    here = local_assets(root, {sha for sha, *_ in links})
    missing = [(sha, role, key, path) for sha, role, key, path in links if sha not in here]
    texts: dict[str, list[str]] = {}
    found = []
    for sha, role, key, path in missing:
        if path not in texts:
            texts[path] = _lines(root, path)
        line = next((n for n, text in enumerate(texts[path], 1) if sha in text), 1)
        found.append(MissingAsset(sha, role, key, path, line))
    return sorted(found, key=lambda m: (m.path, m.line, m.sha256))


def _lines(root: Path, path: str) -> list[str]:
    try:
        return read_regular(root / path, root).decode("utf-8", errors="replace").splitlines()
    except OSError:
        return []
