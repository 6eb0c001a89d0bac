"""Blocks as front ends ask for them: filtered lists in story order, one block's card, the
snapshot an editor's tree view shows, a new block from its type's template, a write, a
delete, and what a change would make stale."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from cinefile.format.block import ID_PATTERN, MAX_NAME_ID, slugify
from cinefile.format.catalog import PHASES, RELATION_TYPES, TYPE_NAMES, allowed_parents, phase_rank, type_rank
from cinefile.format.edit import EditError, with_dependency
from cinefile.format.parse import closest, parse_text
from cinefile.format.problems import Problem
from cinefile.format.templates import block_path, block_template

from ..errors import UserError
from ..exports.order import order_key, tree_order
from ..index.db import problems_of
from ..remote.local import local_assets
from .core import Core, FileChange, WriteConflict

STATES = ("fresh", "stale", "unreviewed", "broken")
# The types a missing block most likely has, by the relation that names it.
TYPES_BY_RELATION = {"appears_in": ("character", "prop"), "set_in": ("location",), "wears": ("costume",),
                     "styled_by": ("style_guide",), None: ("character", "location", "prop")}
# Only the two frontmatter values a list needs, picked out by SQLite: decoding every block's
# whole frontmatter in Python was a fifth of `cinefile list` at 10,000 blocks (measured).
_SUMMARY_COLUMNS = ("key, path, type, phase, title, state, stale_reason, tags, parent_key, "
                    "json_extract(frontmatter, '$.order') AS sibling_order, json_extract(frontmatter, '$.assets') AS assets")


@dataclass(frozen=True)
class AssetLink:
    """A generated or supplied file linked from a block's `assets`."""

    sha256: str
    role: str
    approved: bool
    path: str | None = None  # assets/<sha256>.<ext>, None when the file is not here

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class BlockSummary:
    """One line of a list: what a tree view or a table shows of a block."""

    id: str
    type: str
    phase: str
    title: str
    path: str
    state: str
    stale_reason: str
    tags: list[str]
    parent: str | None
    assets: list[AssetLink]
    depth: int = 0  # in a story-order tree: 0 for a root, 1 for its children, ...
    order: object = None

    @property
    def generated(self) -> bool:
        """Generation made media for it (a person's reference files do not count)."""
        return any(a.role != "reference" for a in self.assets)

    def to_json(self) -> dict:
        return {"id": self.id, "type": self.type, "phase": self.phase, "title": self.title, "path": self.path,
                "state": self.state, "stale_reason": self.stale_reason, "tags": self.tags, "parent": self.parent,
                "depth": self.depth, "generated": self.generated, "assets": [a.to_json() for a in self.assets]}


@dataclass(frozen=True)
class ProblemInfo:
    path: str
    line: int  # 1-based, as editors and `file:line:col` show them
    col: int
    end_line: int
    end_col: int
    severity: str
    code: str
    message: str

    @property
    def text(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message} [{self.code}]"

    @classmethod
    def of(cls, path: str, data: dict) -> "ProblemInfo":
        problem = Problem.from_json(data)
        start, end = problem.range.start, problem.range.end
        return cls(path, start.line + 1, start.col + 1, end.line + 1, end.col + 1, problem.severity, problem.code, problem.message)

    def to_json(self) -> dict:
        return asdict(self) | {"text": self.text}


@dataclass(frozen=True)
class BlockCard:
    """Everything about one block: facts, fields, state, problems, links, assets and body."""

    id: str
    path: str
    type: str
    phase: str
    title: str
    version: int
    tags: list[str]
    parent: str | None
    dependencies: list[dict]  # {"id", "type"}
    dependents: list[dict]  # {"id", "path", "kind"}: "dependency" or "child"
    state: str
    stale_reason: str
    content_hash: str
    file_hash: str
    fields: dict
    problems: list[ProblemInfo]
    assets: list[AssetLink]
    body: str

    def to_json(self) -> dict:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["problems"] = [p.to_json() for p in self.problems]
        data["assets"] = [a.to_json() for a in self.assets]
        return data


@dataclass(frozen=True)
class Snapshot:
    """The whole project in one answer, for an editor's tree view and status bar. The same
    JSON from the language server (`cinefile.blocks`) and the command line (`cinefile snapshot`)."""

    root: str
    name: str
    mode: str
    spent_usd: float
    blocks: list[BlockSummary] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"root": self.root, "name": self.name, "mode": self.mode, "spent_usd": round(self.spent_usd, 6),
                "blocks": [b.to_json() for b in self.blocks]}


def _assets_of(raw, present: dict[str, str]) -> list[AssetLink]:
    """The links in a frontmatter `assets` value, whatever a person wrote there."""
    links = []
    for entry in raw if isinstance(raw, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("sha256"), str):
            sha = entry["sha256"]
            links.append(AssetLink(sha, str(entry.get("role") or "reference"), bool(entry.get("approved")), present.get(sha)))
    return links


def _summary(row: dict, present: dict[str, str]) -> BlockSummary:
    assets = _assets_of(json.loads(row["assets"]), present) if row["assets"] else []
    tags = row["tags"]
    return BlockSummary(row["key"], row["type"] or "", row["phase"] or "", row["title"] or "", row["path"],
                        row["state"] or "", row["stale_reason"] or "" if row["state"] != "fresh" else "",
                        json.loads(tags) if tags and tags != "[]" else [], row["parent_key"], assets, 0, row["sibling_order"])


def story_order(summaries: list[BlockSummary]) -> list[BlockSummary]:
    """Blocks by phase, each followed by its children (acts > beats > scenes; breakdowns and
    shots under their scene); siblings by `order`, then by path, `scene-2` before `scene-10`."""

    def sibling_key(block: BlockSummary) -> tuple:
        return (phase_rank(block.phase), type_rank(block.type), order_key(block.order, block.path))

    ordered = tree_order(summaries, sibling_key, lambda b: b.id, lambda b: b.parent, lambda b: b.path)
    for depth, block in ordered:
        block.depth = depth
    return [block for _, block in ordered]


def check_choice(option: str, value: str, choices) -> None:
    """Refuse a value that is not one of `choices`, suggesting the closest."""
    if value not in choices:
        near = closest(value, choices, cutoff=0.5)
        hint = f" (did you mean `{near}`?)" if near else ""
        raise UserError(f"{option} {value}: unknown{hint}; use one of {', '.join(choices)}")


class Blocks(Core):
    def assets_present(self) -> dict[str, str]:
        """sha256 -> `assets/<file>` for every asset file in the project now: the index's, less
        any deleted since (one listing of assets/: a sync of the blocks never looks there)."""
        here = local_assets(self.root)
        rows = self.index.query("SELECT hash, path FROM assets")
        return {r["hash"]: r["path"] for r in rows if r["hash"] in here}

    def blocks(self, *, type: str | None = None, phase: str | None = None, tag: str | None = None,
               state: str | None = None, text: str | None = None, tree: bool = True, after: str | None = None,
               limit: int | None = None) -> list[BlockSummary]:
        """Blocks matching every filter given, in story order (`tree`) or by path. `text`
        matches id, title or body, ignoring case. By path, `after` (a path) and `limit` give
        one page, read as such from the index."""
        where, params = self._filters(type, phase, tag, state, text)
        if tree and (after is not None or limit is not None):
            raise UserError("pages go by path: ask for blocks by path (not in story order) to page through them")
        if after is not None:
            where.append("path > ?")
            params.append(after)
        sql = f"SELECT {_SUMMARY_COLUMNS} FROM blocks WHERE {' AND '.join(where) or '1'} ORDER BY path"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        rows = self.index.query(sql, params)
        present = self._assets_present_for(rows)
        summaries = [_summary(row, present) for row in rows]
        return story_order(summaries) if tree else summaries

    def count_blocks(self, *, type: str | None = None, phase: str | None = None, tag: str | None = None,
                     state: str | None = None, text: str | None = None) -> int:
        """How many blocks match the filters, as `blocks` would list them."""
        where, params = self._filters(type, phase, tag, state, text)
        return self.index.query(f"SELECT count(*) AS n FROM blocks WHERE {' AND '.join(where) or '1'}", params)[0]["n"]

    @staticmethod
    def _filters(type: str | None, phase: str | None, tag: str | None, state: str | None,
                 text: str | None) -> tuple[list[str], list]:
        where, params = [], []
        if type is not None:
            check_choice("--type", type, TYPE_NAMES)
            where.append("type = ?")
            params.append(type)
        if phase is not None:
            names = {p.lower(): p for p in PHASES[:3]}
            check_choice("--phase", phase.lower(), tuple(names))
            where.append("phase = ?")
            params.append(names[phase.lower()])
        if state is not None:
            check_choice("--state", state, STATES)
            where.append("state = ?")
            params.append(state)
        if tag is not None:
            where.append("EXISTS (SELECT 1 FROM json_each(blocks.tags) WHERE value = ?)")
            params.append(tag)
        if text:
            where.append("(instr(lower(key), ?) OR instr(lower(title), ?) OR instr(lower(content), ?))")
            params += [text.lower()] * 3
        return where, params

    def _assets_present_for(self, rows: list[dict]) -> dict[str, str]:
        """`assets_present` for only the assets these rows link: most blocks link none."""
        return self.assets_present() if any(row["assets"] for row in rows) else {}

    def card(self, ref: str) -> BlockCard:
        """One block by id or path (a path reaches the second block of a duplicated id)."""
        row = self.row(ref)
        frontmatter = json.loads(row["frontmatter"] or "{}")
        frontmatter = frontmatter if isinstance(frontmatter, dict) else {}
        refs = json.loads(row["refs"] or "[]")
        return BlockCard(
            row["key"], row["path"], row["type"] or "", row["phase"] or "", row["title"] or "", row["version"],
            json.loads(row["tags"] or "[]"), row["parent_key"],
            [{"id": r[0], "type": r[2]} for r in refs if r[1] == "dependency"],
            [{"id": d["key"], "path": d["path"], "kind": d["kind"]} for d in self.index.dependents(row["key"])],
            row["state"] or "", row["stale_reason"] or "" if row["state"] != "fresh" else "",
            row["content_hash"] or "", row["file_hash"] or "", frontmatter,
            [ProblemInfo.of(row["path"], p) for p in problems_of(row)],
            _assets_of(frontmatter.get("assets"), self.assets_present()), row["content"] or "")

    def snapshot(self) -> Snapshot:
        from ..generate.ledger import Ledger  # reads a JSON lines file; no network

        config = self.project.config
        return Snapshot(str(self.project.root), config.name, config.mode, Ledger(self.project.assets).total(),
                        self.blocks())

    def impact(self, ref: str) -> list[BlockSummary]:
        """Every block that would go stale if this one changed: its dependents and children,
        transitively, in story order. One recursive query, however many there are."""
        start = self.row(ref)["key"]
        rows = self.index.query(
            "WITH RECURSIVE down(key) AS (SELECT ? UNION "
            "SELECT b.key FROM down JOIN dependencies d ON d.dst_key = down.key JOIN blocks b ON b.id = d.src_block_id "
            "UNION SELECT b.key FROM down JOIN blocks b ON b.parent_key = down.key) "
            f"SELECT {_SUMMARY_COLUMNS} FROM blocks WHERE key IN (SELECT key FROM down) AND key != ? ORDER BY path",
            [start, start])
        present = self.assets_present()
        return story_order([_summary(row, present) for row in rows])

    # -- changes -----------------------------------------------------------------------

    def new_block(self, type: str, block_id: str | None = None, *, title: str | None = None,
                  parent: str | None = None) -> FileChange:
        """A new block file from its type's template (not written: `apply` it). The id comes
        from the title when not given; a parent must be of a type the new block allows."""
        check_choice("type", type, TYPE_NAMES)
        block_id = block_id or slugify(title or type, MAX_NAME_ID)
        if not ID_PATTERN.match(block_id):
            raise UserError(f"`{block_id}` is not a valid id: use lowercase letters, digits, `-` and `_`, "
                            f"for example `{slugify(block_id)}`")
        if self.index.block(block_id) is not None:
            raise UserError(f"`{block_id}` is already the id of {self.index.block(block_id)['path']}: pick another")
        path = block_path(type, block_id)
        if (self.project.root / path).exists():
            raise UserError(f"{path}: already exists: pick another id")
        text = block_template(type, block_id, title)
        if parent is not None:
            allowed = allowed_parents(type)
            row = self.row(parent)
            if row["type"] not in allowed:
                kinds = ", ".join(allowed) or "none"
                raise UserError(f"`{parent}` is a {row['type'] or 'block with no type'}; a {type}'s parent must be: {kinds}")
            text = text.replace(f"type: {type}\n", f"type: {type}\nparent: {row['key']}\n", 1)
        return FileChange(path, None, text, how="create")

    def missing_block_changes(self, block_id: str, *, named_by: str, kind: str,
                              relation: str | None) -> list[tuple[str, FileChange]]:
        """New blocks that would satisfy a reference to a missing id, one per likely type
        (type, change): for a parent, the types a `named_by` block allows; else by relation."""
        if slugify(block_id) != block_id:
            return []
        candidates = allowed_parents(named_by) if kind == "parent" else TYPES_BY_RELATION.get(relation, TYPES_BY_RELATION[None])
        changes = []
        for type_name in candidates:
            try:
                changes.append((type_name, self.new_block(type_name, block_id)))
            except UserError:
                continue  # that file or id exists already
        return changes

    def dependency_change(self, ref: str, dependency: str, *, relation: str | None = None,
                          text: str | None = None) -> FileChange:
        """`dependency` added to a block's `dependencies`, in the list style its file uses (as
        `{id, type}` with a relation). `text` is the block's text as the caller has it."""
        if text is None:
            current = self.read(ref)
            path, text = current.path, current.text
        else:  # an editor's buffer, maybe of a file not saved yet: its path names it
            path = ref if ref.endswith(".md") else self.row(ref)["path"]
        target = self.row(dependency)["key"]
        block = parse_text(path, text)
        if target == block.id:
            raise UserError(f"a block cannot depend on itself: `{target}`")
        if target in [d.target for d in block.dependencies]:
            raise UserError(f"{path}: `{target}` is among its dependencies already")
        if relation is not None:
            check_choice("--as", relation, tuple(RELATION_TYPES))
        try:
            return FileChange(path, text, with_dependency(text, target, relation))
        except EditError as error:
            raise UserError(f"{path}: {error}") from None

    def replace_text(self, ref: str, text: str, base_hash: str | None) -> FileChange:
        """A block's whole text replaced: refused at `apply` unless the file still hashes to
        `base_hash` (what the caller read, e.g. an HTTP If-Match or the studio's page)."""
        current = self.read(ref)
        if base_hash is not None and base_hash != current.file_hash:
            raise WriteConflict(f"{current.path}: changed on disk since it was read: nothing was written; "
                                "read it again, or overwrite it on purpose", current.path, current.text, current.file_hash)
        return FileChange(current.path, current.text, text)

    def delete_block(self, ref: str) -> FileChange:
        """Remove a block's file; its versions stay in history, so `undo` brings it back."""
        current = self.read(ref)
        return FileChange(current.path, current.text, None, how="delete")

