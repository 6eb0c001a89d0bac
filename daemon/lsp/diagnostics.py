"""Diagnostics: the core's checks on the buffer, its links against the whole project,
missing fields, and staleness placed on the dependency entry that changed.

Pulled by clients that can pull and be told to pull again (`workspace/diagnostic/refresh`);
published to the others, debounced, and re-published when another buffer or the disk changes.
"""

from __future__ import annotations

import asyncio
import hashlib

from lsprotocol import types

from cinefile.format.links import check_block, check_links
from cinefile.format.problems import ERROR, WARNING, Problem, Range
from cinefile.format.stale import STALE, UNREVIEWED

from ..remote.local import local_assets
from ..remote.missing import MISSING_CODE, MissingAsset
from .model import Model, Node
from .positions import to_client_range
from .server import CinefileServer

DEBOUNCE_S = 0.075
SOURCE = "cinefile"
_SEVERITY = {ERROR: types.DiagnosticSeverity.Error, WARNING: types.DiagnosticSeverity.Warning}
FRONTMATTER_OPENING = Range.of(0, 0, 0, 3)


def block_problems(model: Model, node: Node) -> list[Problem]:
    """Every problem of one block, in code points: its own (missing fields among them) and its links."""
    problems = list(node.problems)
    if node.block is None or node.block.readable:
        problems += check_block(node, model.by_id)
        upstream = model.upstream(node)
        if len(upstream) > 1:
            problems += [p for p in check_links(upstream).get(node.path, []) if p.code == "cycle"]
    return problems


def stale_diagnostic(ls: CinefileServer, node: Node, lines) -> types.Diagnostic | None:
    model = ls.model
    state = model.staleness(node)
    if state.state == UNREVIEWED:
        where = node.block.key_ranges.get("type", FRONTMATTER_OPENING) if node.block else FRONTMATTER_OPENING
        return types.Diagnostic(
            range=to_client_range(ls.workspace.position_codec, lines, where), message=state.reason,
            severity=types.DiagnosticSeverity.Hint, code="unreviewed", source=SOURCE)
    if state.state != STALE:
        return None
    entry = state.via[-1] if state.via else state.cause
    ref = next((r for r in node.refs if r.target == entry), None)
    where = ref.range if ref is not None else FRONTMATTER_OPENING
    chain = " → ".join((state.cause, *state.path(), node.id))
    related = []
    for block_id, note in ((entry, f"{entry} is what this block was made from"), (state.cause, f"{state.cause} changed")):
        owner = model.owner(block_id)
        if owner is not None and all(r.location.uri != ls.uri_of(owner.path) for r in related):
            related.append(types.DiagnosticRelatedInformation(
                location=types.Location(uri=ls.uri_of(owner.path), range=to_client_range(ls.workspace.position_codec, [], FRONTMATTER_OPENING)),
                message=note))
    return types.Diagnostic(
        range=to_client_range(ls.workspace.position_codec, lines, where),
        message=f"stale: {state.reason}; chain {chain}: regenerate, or mark it up to date once it is right",
        severity=types.DiagnosticSeverity.Warning, code="stale", source=SOURCE,
        related_information=related, data={"cause": state.cause, "entry": entry})


def diagnostics_for(ls: CinefileServer, uri: str) -> list[types.Diagnostic]:
    rel = ls.rel_path(uri)
    node = ls.model.nodes.get(rel) if rel is not None else None
    if node is None:
        return []
    lines = ls.lines_of(rel)
    codec = ls.workspace.position_codec
    found = [types.Diagnostic(range=to_client_range(codec, lines, p.range), message=p.message,
                              severity=_SEVERITY.get(p.severity, types.DiagnosticSeverity.Error),
                              code=p.code, source=SOURCE)
             for p in block_problems(ls.model, node)]
    if stale := stale_diagnostic(ls, node, lines):
        found.append(stale)
    found += missing_asset_diagnostics(ls, node, lines)
    return found


def missing_asset_diagnostics(ls: CinefileServer, node: Node, lines) -> list[types.Diagnostic]:
    """A warning on each linked asset whose file is not in assets/ here (not pulled yet, when the
    media live in a remote store), on the line that names it, saying how to fetch it."""
    linked = [(a["sha256"], str(a.get("role") or "reference")) for a in node.assets if isinstance(a.get("sha256"), str)]
    if not linked or ls.project is None:
        return []
    here, remote = local_assets(ls.project.root, {sha for sha, _ in linked}), ls.project.config.remote is not None
    found = []
    for sha, role in linked:
        if sha in here or len(sha) != 64:
            continue
        line = next((n for n, text in enumerate(lines) if sha in text), None)
        where = FRONTMATTER_OPENING if line is None else Range.of(line, lines[line].find(sha), line,
                                                                   lines[line].find(sha) + len(sha))
        found.append(types.Diagnostic(
            range=to_client_range(ls.workspace.position_codec, lines, where),
            message=MissingAsset(sha, role, node.id, node.path).message(remote),
            severity=types.DiagnosticSeverity.Warning, code=MISSING_CODE, source=SOURCE))
    return found


def result_id(diagnostics: list[types.Diagnostic]) -> str:
    text = "\n".join(f"{d.range}|{d.code}|{d.message}" for d in diagnostics)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


class Publisher:
    """Decides when diagnostics go out, and whether they are pulled or pushed."""

    def __init__(self, ls: CinefileServer) -> None:
        self.ls = ls
        self.timer: asyncio.TimerHandle | None = None
        self.first: str | None = None  # the buffer just edited goes out first
        self.sent: dict[str, str] = {}  # uri -> result id last pushed

    @property
    def pulls(self) -> bool:
        capabilities = self.ls.client_capabilities
        can_pull = capabilities.text_document is not None and capabilities.text_document.diagnostic is not None
        workspace = capabilities.workspace
        can_refresh = bool(workspace and workspace.diagnostics and workspace.diagnostics.refresh_support)
        return can_pull and can_refresh

    def opened(self, uri: str) -> None:
        if not self.pulls:
            self.publish(uri)
        self.others_changed(uri)

    def edited(self, uri: str) -> None:
        self.first = uri
        self._schedule()

    def closed(self, uri: str) -> None:
        if not self.pulls and self.sent.pop(uri, None) is not None:
            self.ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        self.others_changed(uri)

    def project_changed(self) -> None:
        self._schedule()

    def others_changed(self, uri: str) -> None:
        if any(other != uri for other in self.ls.workspace.text_documents):
            self._schedule()

    def _schedule(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        self.timer = asyncio.get_running_loop().call_later(DEBOUNCE_S, self._flush)

    def _flush(self) -> None:
        self.timer = None
        first, self.first = self.first, None
        if self.pulls:
            self.ls.workspace_diagnostic_refresh(None)
            return
        uris = list(self.ls.workspace.text_documents)
        if first in uris:
            uris.remove(first)
            uris.insert(0, first)
        for uri in uris:
            self.publish(uri, only_if_changed=uri != first)

    def publish(self, uri: str, *, only_if_changed: bool = False) -> None:
        if self.ls.rel_path(uri) is None:
            return
        found = diagnostics_for(self.ls, uri)
        rid = result_id(found)
        if only_if_changed and self.sent.get(uri) == rid:
            return
        self.sent[uri] = rid
        document = self.ls.workspace.text_documents.get(uri)
        self.ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, diagnostics=found, version=document.version if document else None))


def pull(ls: CinefileServer, params: types.DocumentDiagnosticParams):
    """textDocument/diagnostic: the full report, or `unchanged` when the client has it."""
    found = diagnostics_for(ls, params.text_document.uri)
    rid = result_id(found)
    if params.previous_result_id == rid:
        return types.UnchangedDocumentDiagnosticReport(result_id=rid)
    return types.FullDocumentDiagnosticReport(items=found, result_id=rid)
