"""Renaming a block id: every reference to it in every file, the `generated.from` records
that name it, its own `id:`, and its file when the file is named after the id. Returned as
file changes, so an editor can apply them as one edit and the command line through `apply`."""

from __future__ import annotations

import re
from typing import Callable, Iterable

from cinefile.format.block import ID_PATTERN, slugify, stem_of
from cinefile.format.edit import EditError, set_field
from cinefile.format.hashing import short_hash
from cinefile.format.parse import parse_text
from cinefile.format.problems import Range
from cinefile.format.stale import matches

from ..errors import UserError
from .core import Core, FileChange

_TOP_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:")


def replace_ranges(text: str, edits: list[tuple[Range, str]]) -> str:
    """`text` with each range (line and column, counted in code points) replaced. The ranges
    must not overlap; offsets are taken before any edit, and edits run from the end."""
    starts = [0]
    for line in text.splitlines(True):
        starts.append(starts[-1] + len(line))

    def offset(line: int, col: int) -> int:
        return starts[min(line, len(starts) - 1)] + col

    spans = sorted(((offset(r.start.line, r.start.col), offset(r.end.line, r.end.col), new) for r, new in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def record_key_ranges(lines: list[str], closing: int, block_id: str) -> list[Range]:
    """Where `generated.from` names the id: `    <id>: <hash>` lines under `generated:`."""
    key_line = re.compile(rf"^(\s+){re.escape(block_id)}\s*:")
    found, inside = [], False
    for number in range(1, closing):
        line = lines[number]
        if _TOP_KEY.match(line):
            inside = line.startswith("generated")
            continue
        match = key_line.match(line) if inside else None
        if match:
            start = len(match.group(1))
            found.append(Range.of(number, start, number, start + len(block_id)))
    return found


def check_new_id(new: str) -> None:
    if not ID_PATTERN.match(new):
        raise UserError(f"`{new}` is not a valid id: use lowercase letters, digits, `-` and `_`, for example `{slugify(new)}`")


class Rename(Core):
    def rename(self, old: str, new: str, *, users: Iterable[str] | None = None, move_file: bool = True,
               text_of: Callable[[str], str] | None = None) -> list[FileChange]:
        """The changes that rename block `old` to `new`. `users` are the paths of the blocks
        naming it (default: the index's), `text_of` gives a file's current text (default:
        the disk; an editor passes its open buffers). With `move_file`, a file named after
        the id moves with it; otherwise the new id is written into the file as `id:`."""
        new = new.strip()
        check_new_id(new)
        own_row = self.row(old)
        if new == old:
            return []
        taken = self.index.block(new)
        if taken is not None:
            raise UserError(f"`{new}` is already the id of {taken['path']}: pick another")
        text_of = text_of or (lambda path: self.read_path(path).text)
        own_path = own_row["path"]
        paths = [d["path"] for d in self.index.dependents(old)] if users is None else list(users)
        changes = []
        for path in dict.fromkeys(p for p in paths if p != own_path):
            text = text_of(path)
            block = parse_text(path, text)
            edits = [(ref.range, new) for ref in block.refs if ref.target == old]
            edits += [(where, new) for where in record_key_ranges(text.splitlines(True), max(block.body_line - 1, 0), old)]
            if edits:
                changes.append(FileChange(path, text, replace_ranges(text, edits), how="rename"))
        changes.append(self._own_change(own_path, text_of(own_path), old, new, move_file))
        return self._keep_fresh(changes, text_of)

    def _keep_fresh(self, changes: list[FileChange], text_of: Callable[[str], str]) -> list[FileChange]:
        """A rename changes the content hash of every block whose dependencies name the id,
        though nothing it says changed: where a block's `generated.from` recorded the old
        hash of such a block, it records the new one, so the rename makes nothing stale."""
        by_path = {c.path: c for c in changes}
        moved: dict[str, tuple[str, str]] = {}  # id -> (old hash, new hash)
        for change in changes:
            before, after = parse_text(change.path, change.old_text), parse_text(change.path, change.new_text)
            if before.content_hash != after.content_hash:
                moved[after.id] = (before.content_hash, after.content_hash)
        for block_id, (old_hash, new_hash) in moved.items():
            for row in self.index.dependents(block_id):
                change = by_path.get(row["path"])
                original = change.old_text if change is not None else text_of(row["path"])
                text = change.new_text if change is not None else original
                block = parse_text(row["path"], text)
                recorded = (block.record or {}).get(block_id)
                if recorded is None or not matches(recorded, old_hash):
                    continue  # stale already, or never reviewed: the rename does not make it fresh
                generated = dict(block.frontmatter.get("generated") or {})
                generated["from"] = {**generated.get("from", {}), block_id: short_hash(new_hash)}
                try:
                    text = set_field(text, "generated", generated)
                except EditError:
                    continue
                by_path[row["path"]] = FileChange(row["path"], original, text, change.new_path if change else None,
                                                  how="rename")
        return list(by_path.values())

    def _own_change(self, path: str, text: str, old: str, new: str, move_file: bool) -> FileChange:
        block = parse_text(path, text)
        folder = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
        new_path = f"{folder}{new}.md"
        named_after_id = slugify(stem_of(path)) == old
        moves = move_file and named_after_id and not (self.project.root / new_path).exists()
        if "id" in block.frontmatter:
            renamed = replace_ranges(text, [(block.id_range, new)])
            return FileChange(path, text, renamed, new_path if moves else None, how="rename")
        if moves:
            return FileChange(path, text, text, new_path, how="rename")
        type_range = block.key_ranges.get("type")
        line = type_range.start.line + 1 if type_range is not None else 1
        return FileChange(path, text, replace_ranges(text, [(Range.of(line, 0), f"id: {new}\n")]), how="rename")
