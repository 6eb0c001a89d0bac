"""History: every version of every block, the difference between two, and putting one back."""

from __future__ import annotations

import difflib
import json
from dataclasses import asdict, dataclass

from ..errors import UserError
from ..index.texts import unpack
from .core import Core, FileChange, NoSuchBlock, WriteConflict

# History rows with the texts they name (kept once each, by hash: daemon/index/texts.py).
_REVISIONS = ("SELECT h.version, h.action, h.timestamp, h.path, h.payload, t.data AS text, p.data AS previous "
              "FROM history AS h LEFT JOIN texts AS t ON t.hash = h.text_hash LEFT JOIN texts AS p ON p.hash = h.previous_hash")


@dataclass(frozen=True)
class Revision:
    version: int
    action: str
    timestamp: str
    path: str
    text: str | None  # the block's text after this change; None for a delete
    previous: str | None
    moved_from: str | None
    how: str = ""  # edit, generate, undo, review, approve, rename, import, create; "" when a sync saw it
    by: str | None = None  # the user whose cinefile wrote it; None when an editor or git did (a commit: its author)
    commit: str | None = None  # a version from git: its commit (and version 0), see git_history.py
    subject: str | None = None  # the commit's subject line

    @property
    def label(self) -> str:
        name = self.commit[:7] if self.commit else f"v{self.version}"
        return name + (", deleted" if self.text is None else "")

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Undone:
    """What `undo` put back: the block's version `restored`, now its version `version`."""

    id: str
    path: str
    restored: int | str  # a version number, or the commit (short) of a version from git
    version: int | None

    @property
    def message(self) -> str:
        now = f" (now version {self.version})" if self.version is not None else ""
        what = f"commit {self.restored}" if isinstance(self.restored, str) else f"version {self.restored}"
        return f"restored {self.path} to {what}{now}"

    def to_json(self) -> dict:
        return asdict(self) | {"message": self.message}


class History(Core):
    def history(self, ref: str) -> list[Revision]:
        """All versions of a block (by id or path; deleted ones too), oldest first, following
        it across renames: the index's, and its file's in git's commits."""
        from .git_history import with_git_versions  # it builds Revisions: imported here, not in a cycle

        row = self._row_or_none(ref)
        if row is not None:
            rows = self.index.query(f"{_REVISIONS} WHERE h.block_id = ? OR (h.block_key = ? AND h.block_id != ?) ORDER BY h.id",
                                    [row["id"], row["key"], row["id"]])
        else:
            rows = self.index.query(f"{_REVISIONS} WHERE h.block_key = ? OR h.path = ? ORDER BY h.id", [ref, ref])
        revisions = []
        for item in rows:
            payload = json.loads(item["payload"] or "{}")
            revisions.append(Revision(item["version"], item["action"], item["timestamp"], item["path"],
                                      unpack(item["text"]), unpack(item["previous"]), payload.get("from"),
                                      payload.get("how") or "", payload.get("by")))
        revisions = with_git_versions(self.root, revisions, row["path"] if row else revisions[-1].path if revisions else ref)
        if not revisions:
            raise NoSuchBlock(f"no block `{ref}` in the index, and none in its history: check the id with `cinefile list`")
        return revisions

    def diff(self, ref: str, from_version: int | str, to_version: int | str | None = None) -> str:
        """A unified diff from one version of a block to another (default: to its file now);
        empty when they are the same."""
        revisions = self.history(ref)
        old = _version(revisions, ref, from_version)
        if to_version is not None:
            new = _version(revisions, ref, to_version)
            new_text, new_name = new.text or "", f"{new.path} ({new.label})"
        else:
            row = self._row_or_none(ref)
            path = row["path"] if row is not None else revisions[-1].path
            try:
                new_text, new_name = self.read_path(path).text, f"{path} (now)"
            except NoSuchBlock:
                new_text, new_name = "", f"{path} (now: deleted)"
        return unified_diff(old.text or "", new_text, f"{old.path} ({old.label})", new_name)

    def version_named(self, ref: str, version: int | str) -> int | str:
        """What a version given as text names: the index's number (`3`, `v3` -> 3), or a
        commit, as given (a commit's start may be all digits: `7932088` stays a string)."""
        revision = _version(self.history(ref), ref, version)
        return str(version) if revision.commit else revision.version

    def undo_change(self, ref: str, to: int | str | None = None) -> FileChange:
        """The block's file put back to version `to` (default: the one before the current),
        computed against the text the index last saw of it: `apply` refuses it when the file
        was edited since. A deleted block's file is made again."""
        return self._undo_plan(ref, to)[1]

    def undo(self, ref: str, to: int | str | None = None, force: bool = False) -> Undone:
        """Write an earlier version of a block back through the guarded write: refused when
        the file changed since the last sync, unless `force` (that edit still goes to history
        first, so nothing is lost)."""
        target, change = self._undo_plan(ref, to)
        try:
            self.apply(change, force=force)
        except WriteConflict as conflict:
            raise WriteConflict(_undo_refused(change, conflict), conflict.path, conflict.current_text,
                                conflict.current_hash) from None
        row = self.index.block_at(change.path)
        restored = target.commit[:7] if target.commit else target.version
        return Undone(row["key"] if row else ref, change.path, restored, row["version"] if row else None)

    def _undo_plan(self, ref: str, to: int | str | None) -> tuple[Revision, FileChange]:
        revisions = self.history(ref)
        current = next((r for r in reversed(revisions) if r.commit is None), revisions[-1])  # the index's last
        if to is None:
            earlier = [r for r in revisions if r.version < current.version and r.text is not None and r.commit is None]
            if not earlier:
                commits = " (`cinefile history` lists its versions in git: pass --to COMMIT)" if any(r.commit for r in revisions) else ""
                raise UserError(f"`{ref}` has no earlier version to go back to (it is at version {current.version}){commits}")
            target = earlier[-1]
        else:
            target = _version(revisions, ref, to)
            if target.text is None:
                raise UserError(f"version {to} of `{ref}` is its deletion; pick an earlier version")
        row = self._row_or_none(ref)
        if row is None:
            return target, FileChange(current.path, None, target.text, how="undo")
        return target, FileChange(row["path"], self._synced_text(row), target.text, how="undo")

    def _row_or_none(self, ref: str) -> dict | None:
        return self.index.block_at(ref) if ref.endswith(".md") else self.index.block(ref)

    def _synced_text(self, row: dict) -> str:
        """The block's text as the index last saw it: what an undo may replace."""
        found = self.index.query(f"{_REVISIONS} WHERE h.block_id = ? ORDER BY h.id DESC LIMIT 1", [row["id"]])
        text = unpack(found[0]["text"]) if found else None
        return text if text is not None else self.read_path(row["path"]).text


def _version(revisions: list[Revision], ref: str, version: int | str) -> Revision:
    """A version by number (`3`, `v3`) or, for one from git, by its commit. A commit's start
    may be all digits (`3439383`): a string of digits that is not one of the index's numbers
    is tried as a commit before it is refused."""
    from .git_history import by_commit

    name = str(version)
    number = int(name.removeprefix("v")) if name.removeprefix("v").isdigit() else None
    if number is None:
        return by_commit(revisions, ref, name)
    matching = [r for r in revisions if r.version == number and r.commit is None]
    if matching:
        return matching[-1]
    if isinstance(version, str) and name.isdigit() and any(r.commit and r.commit.startswith(name) for r in revisions):
        return by_commit(revisions, ref, name)
    known = ", ".join(str(r.version) for r in revisions if r.commit is None)
    raise UserError(f"`{ref}` has no version {number}: its versions are {known}")


def _undo_refused(change: FileChange, conflict: WriteConflict) -> str:
    if change.old_text is None:
        return (f"{change.path}: a file is there again since the block was deleted: nothing was written; "
                "move it away, or pass --force to overwrite it")
    if conflict.current_text is None:
        return f"{change.path}: deleted since the last sync: nothing was written; run `cinefile sync` first, or pass --force"
    return (f"{change.path}: changed on disk since the last sync: nothing was written; run `cinefile sync` first, "
            "or pass --force to overwrite it (the edit is kept in history)")


def unified_diff(old: str, new: str, old_name: str, new_name: str) -> str:
    """`diff -u` of two texts, marking a last line with no newline as diff and git do."""
    lines = difflib.unified_diff(old.splitlines(True), new.splitlines(True), old_name, new_name)
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
