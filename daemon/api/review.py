"""Review: mark blocks up to date, and approve the generated assets a block is made with.

Both are computed as `FileChange`s from the text being changed (the editor's open buffer, the
file otherwise), so every front end runs the same rule: the command line applies them, the
language server sends them to the editor as edits."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Iterable, NamedTuple

from cinefile.format.block import Block
from cinefile.format.edit import EditError, merge_field, set_field
from cinefile.format.parse import parse_text
from cinefile.format.stale import STALE, StaleInput, broken_reason, compute_staleness, record_for

from ..errors import UserError
from ..index.relink import broken_reason_of
from ..inside import Inside
from .blocks import check_choice
from .core import Core, FileChange


@dataclass(frozen=True)
class FreshResult:
    """What `mark_fresh` did, or would do on a dry run."""

    fresh: list[str]  # ids fresh now (would be): their record written, or up to date already
    marked: list[str]  # ids whose `generated.from` was written (would be)
    written: list[str]  # the paths written; none on a dry run
    sourceless: list[str]  # ids made from nothing (no parent, no dependencies): always fresh
    still_stale: dict[str, str] = field(default_factory=dict)  # id -> why: a block it is made from is stale
    dry_run: bool = False

    @property
    def summary(self) -> str:
        verb, stay = ("would mark", "would stay") if self.dry_run else ("marked", "still")
        return f"{verb} {len(self.fresh)} fresh" + (f", {len(self.still_stale)} {stay} stale" if self.still_stale else "")

    def notes(self) -> list[str]:
        """One line for each block that is not made fresh, and why."""
        lines = [f"`{key}` is made from nothing (no parent, no dependencies), so it is always fresh" for key in self.sourceless]
        lines += [f"`{key}` is still stale, through a block it is made from: {reason}: mark or regenerate that one too"
                  for key, reason in self.still_stale.items()]
        return lines

    def to_json(self) -> dict:
        return asdict(self) | {"summary": self.summary}


@dataclass(frozen=True)
class Approved:
    """One asset approved (or found approved already: `already`, nothing written)."""

    id: str
    path: str
    role: str  # still, video or audio
    sha256: str
    already: bool = False

    @property
    def message(self) -> str:
        if self.already:
            return f"`{self.id}`: {self.role} {self.sha256[:12]} is approved already: nothing to do"
        return f"approved {self.role} {self.sha256[:12]} for {self.id}"

    def to_json(self) -> dict:
        return asdict(self) | {"message": self.message}


class _Subject(NamedTuple):
    """A block as the text being changed says it is."""

    id: str
    path: str
    text: str
    block: Block


class _Marking(NamedTuple):
    """A block as marking it fresh needs it: what it is made from, and the record it has."""

    id: str
    path: str
    text: str
    inputs: list[str]  # parent and dependencies, in file order
    record: dict[str, str] | None  # its `generated.from`

    @classmethod
    def of(cls, subject: _Subject) -> _Marking:
        return cls(subject.id, subject.path, subject.text, subject.block.inputs, subject.block.record)


def _readable(row) -> bool:
    """Whether an index row is of a block whose frontmatter could be read: a problem that
    leaves it unread is an error, so a row without errors is readable."""
    return not row["errors"] or broken_reason_of(row["problems"]) is None


def with_approved(assets: list, role: str, sha256: str) -> list:
    """The assets with `sha256` approved and the block's other assets of its role not: one
    approved asset per role (video starts from the one approved still)."""
    return [dict(a) | {"approved": a.get("sha256") == sha256} if isinstance(a, dict) and a.get("role") == role else a
            for a in assets]


def _roles() -> dict[str, str]:
    """Asset role by generation kind (image -> still, ...). Imported here: the generation
    package costs every command that never approves a tenth of a second to load."""
    from ..generate.writeback import ROLE_OF_KIND

    return ROLE_OF_KIND


class Review(Core):
    # -- mark fresh ------------------------------------------------------------------------

    def fresh_change(self, ref: str, text: str | None = None) -> FileChange | None:
        """The block with `generated.from` recording what it is made from, as saved: its
        inputs (parent, dependencies) read from `text` (an open buffer; default: the file),
        their hashes from the index, since every tool reads the record against the files on
        disk. None for a block made from nothing (always fresh); a change to the same text
        when the record is up to date already."""
        return self._fresh(_Marking.of(self._review_subject(ref, text, "mark it fresh")))[1]

    def mark_fresh(self, refs: Iterable[str] = (), *, stale: bool = False, all: bool = False,
                   dry_run: bool = False) -> FreshResult:
        """Mark blocks up to date: those named (ids or paths), or every stale one (`stale`),
        or every one made from something (`all`). All are written at once through the guarded
        write, or none. A block made from a block that stays stale stays stale: said in
        `still_stale`."""
        refs = self._fresh_selection(list(dict.fromkeys([refs] if isinstance(refs, str) else refs)), stale, all)
        # Batched: one lookup of the paths and one of the hashes for every block, where a query
        # of each per block took most of marking 5,000 blocks fresh (measured: see benchmarks).
        subjects = self._markings(self._paths_of(refs))
        hashes = self.index.hashes({key for subject in subjects for key in subject.inputs})
        changes, marked, sourceless, records = [], [], [], {}
        for subject in subjects:
            record, change = self._fresh(subject, hashes)
            if change is None:
                sourceless.append(subject.id)
                continue
            records[subject.id] = (subject.inputs, record)
            if change.new_text != change.old_text:
                marked.append(subject.id)
                changes.append(change)
        still_stale = self._stale_after(records)
        written = [] if dry_run else self.apply(changes).written
        fresh = [key for key in records if key not in still_stale]
        return FreshResult(fresh, marked, written, sourceless, still_stale, dry_run)

    def _fresh_selection(self, refs: list[str], stale: bool, all: bool) -> list[str]:
        if sum(bool(x) for x in (refs, stale, all)) != 1:
            raise UserError("say which blocks to mark fresh: their ids, or --stale, or --all (one of them)")
        if stale:
            return [row["path"] for row in self.index.blocks("state = 'stale'")]
        if all:
            return [row["path"] for row in self.index.blocks("refs != '[]' AND state IS NOT 'broken'")]
        return refs

    def _fresh(self, subject: _Marking, hashes: dict[str, str] | None = None) -> tuple[dict[str, str], FileChange | None]:
        """The record and the change for one block; `hashes` (by id) holds its inputs' when
        the caller looked them up for many blocks at once."""
        inputs = subject.inputs
        if not inputs:
            return {}, None
        record = record_for(inputs, self.index.hashes(inputs) if hashes is None else hashes)
        if subject.record == record:
            return record, FileChange(subject.path, subject.text, subject.text, how="review")
        try:  # `generated` keeps its other entries (model, prompt, ...)
            marked = merge_field(subject.text, "generated", {"from": record})
        except EditError as error:
            raise UserError(f"{subject.path}: {error}") from None
        return record, FileChange(subject.path, subject.text, marked, how="review")

    def _stale_after(self, records: dict[str, tuple[list[str], dict]]) -> dict[str, str]:
        """Why each of these blocks would still be stale with these records (id -> (inputs,
        `generated.from`)) written, as a sync would work it out. A block's state depends only
        on what it is made from, so only those blocks are read, transitively: reading the
        whole project was a second of every mark-fresh at 100,000 blocks."""
        if not records:
            return {}
        nodes: dict[str, StaleInput] = {}
        asked: set[str] = set()
        wanted = set(records) | {key for inputs, _ in records.values() for key in inputs}
        while wanted:
            asked |= wanted
            # Path order, descending: for a duplicated id the first path wins, as in the index.
            rows = self.index.query("SELECT key, content_hash, refs, record, problems FROM blocks "
                                    "WHERE key IN (SELECT value FROM json_each(?)) ORDER BY path DESC",
                                    [json.dumps(sorted(wanted))])
            found = []
            for row in rows:
                inputs = list(dict.fromkeys(ref[0] for ref in json.loads(row["refs"] or "[]")))
                record = json.loads(row["record"]) if row["record"] else None
                inputs, record = records.get(row["key"], (inputs, record))
                nodes[row["key"]] = node = StaleInput(row["content_hash"] or "", inputs, record, broken_reason_of(row["problems"]))
                found.append(node)
            # Only the blocks just read can name new ones: a chain 1,000 deep went round this
            # loop 1,000 times, and scanning every node each time took 5 s (measured).
            wanted = {key for node in found for key in node.inputs} - asked
        states = compute_staleness(nodes)
        return {key: states[key].reason for key in records if key in states and states[key].state == STALE}

    # -- approve ---------------------------------------------------------------------------

    def awaiting_approval(self, ref: str, text: str | None = None) -> list[tuple[str, str]]:
        """(role, sha256) of each generated asset of the block not approved yet, in file order."""
        subject = self._review_subject(ref, text, "approve its assets")
        roles = set(_roles().values())
        return [(a["role"], a["sha256"]) for a in self._asset_entries(subject) if a.get("role") in roles and not a.get("approved")]

    def approval(self, ref: str, kind: str | None = None, asset: str | None = None,
                 text: str | None = None) -> tuple[Approved, FileChange]:
        """Which asset to approve, and the change approving it makes to `text` (default: the
        file). `asset` is the start of its sha256 (its role is the kind then, unless `kind`
        says); without it, the newest asset of the kind's role (image: still, video, audio;
        default image) not approved yet and made after the approved one, and when there is
        none, nothing to do (`already`, a change to the same text). Approving one unapproves
        the block's others of its role: one approved asset per role."""
        roles = _roles()
        if kind is not None:
            check_choice("--kind", kind, tuple(roles))
        subject = self._review_subject(ref, text, "approve its assets")
        entries = self._asset_entries(subject)
        wanted = [roles[kind]] if kind else list(roles.values()) if asset else [roles["image"]]
        candidates = [e for e in entries if e.get("role") in wanted]
        what = wanted[0] if len(wanted) == 1 else "generated asset"
        if asset:
            chosen = [e for e in candidates if e["sha256"].startswith(asset.lower())]
            if len(chosen) != 1:
                raise UserError(f"`{subject.id}`: {'no' if not chosen else 'more than one'} {what} starts with {asset}: "
                                f"give {'another' if not chosen else 'more of its'} hash")
            pick = chosen[0]
        elif not candidates:
            kind = kind or "image"
            raise UserError(f"`{subject.id}` has no {what} to approve: generate one first with "
                            f"`cinefile generate {subject.id} --kind {kind}`")
        else:
            # Waiting: those made after the approved one; older ones were passed over for it.
            approved_at = max((i for i, e in enumerate(candidates) if e.get("approved")), default=-1)
            waiting = [e for e in candidates[approved_at + 1:] if not e.get("approved")]
            pick = waiting[-1] if waiting else candidates[approved_at]
        raw = subject.block.frontmatter.get("assets")
        assets = with_approved(raw, pick["role"], pick["sha256"])
        already = assets == raw
        new_text = subject.text if already else self._with_field(subject, "assets", assets)
        approved = Approved(subject.id, subject.path, pick["role"], pick["sha256"], already)
        return approved, FileChange(subject.path, subject.text, new_text, how="approve")

    def approve_change(self, ref: str, kind: str | None = None, asset: str | None = None,
                       text: str | None = None) -> FileChange:
        """The change `approval` makes: for the language server, which sends it as an edit."""
        return self.approval(ref, kind, asset, text)[1]

    def approve(self, refs: Iterable[str], kind: str | None = None, asset: str | None = None) -> list[Approved]:
        """Approve an asset of each block (see `approval`), written at once through the guarded
        write, or none when one of them cannot be."""
        refs = list(dict.fromkeys([refs] if isinstance(refs, str) else refs))
        if not refs:
            raise UserError("say which block: give its id")
        if asset and len(refs) > 1:
            raise UserError(f"--asset {asset} names one asset of one block: give one id with it")
        plans = [self.approval(ref, kind, asset) for ref in refs]
        self.apply([change for approved, change in plans if not approved.already])
        return [approved for approved, _ in plans]

    # -- shared ----------------------------------------------------------------------------

    def _review_subject(self, ref: str, text: str | None, doing: str) -> _Subject:
        """The block `ref` (an id or a path) as `text` says it is (default: its file). A block
        whose frontmatter cannot be read is refused: nothing in it can be changed safely."""
        if text is None:
            return self._subject_at(self.row(ref)["path"], None, doing)
        path = ref if ref.endswith(".md") else self.row(ref)["path"]
        return self._subject_at(path, text, doing)

    def _subject_at(self, path: str, text: str | None, doing: str) -> _Subject:
        """The block at `path` as `text` says it is (default: its file)."""
        if text is None:
            text = self.read_path(path).text
        block = parse_text(path, text)
        if not block.readable:
            reason = broken_reason(block.problems) or "fix it first"
            raise UserError(f"{path}: cannot {doing} while its frontmatter is broken: {reason}")
        return _Subject(block.id, path, text, block)

    def _markings(self, paths: list[str]) -> list[_Marking]:
        """Each block at `paths` as its file is now. Where the file is the version the index
        holds (the hash of its bytes is the row's), the index's parse of it is used: parsing
        5,000 blocks again was a third of marking them fresh. A file changed since the last
        sync is parsed here, so what is marked is always what is on disk."""
        rows = {row["path"]: row for row in self.index.query(
            "SELECT path, key, file_hash, refs, record, problems, errors FROM blocks "
            "WHERE path IN (SELECT value FROM json_each(?))", [json.dumps(paths)])}
        inside = Inside(self.project.root)
        markings = []
        for path in paths:
            read = self.read_path(path, inside)
            row = rows.get(path)
            if row is None or row["file_hash"] != read.file_hash or not _readable(row):
                markings.append(_Marking.of(self._subject_at(path, read.text, "mark it fresh")))
                continue
            inputs = list(dict.fromkeys(ref[0] for ref in json.loads(row["refs"] or "[]")))
            markings.append(_Marking(row["key"], path, read.text, inputs, json.loads(row["record"]) if row["record"] else None))
        return markings

    def _paths_of(self, refs: list[str]) -> list[str]:
        """The file of each block named (an id, or a path), found in one query: for a
        duplicated id, the first path, as `row` finds it."""
        ids = [ref for ref in refs if not ref.endswith(".md")]
        rows = self.index.query("SELECT key, path FROM blocks WHERE key IN (SELECT value FROM json_each(?)) "
                                "ORDER BY path DESC", [json.dumps(ids)]) if ids else []
        path_of = {row["key"]: row["path"] for row in rows}  # descending: the first path is kept
        return [self.row(ref)["path"] if ref.endswith(".md") or ref not in path_of else path_of[ref] for ref in refs]

    @staticmethod
    def _asset_entries(subject: _Subject) -> list[dict]:
        raw = subject.block.frontmatter.get("assets")
        return [a for a in raw if isinstance(a, dict) and isinstance(a.get("sha256"), str)] if isinstance(raw, list) else []

    @staticmethod
    def _with_field(subject: _Subject, key: str, value) -> str:
        try:
            return set_field(subject.text, key, value)
        except EditError as error:
            raise UserError(f"{subject.path}: {error}") from None

