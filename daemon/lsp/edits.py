"""WorkspaceEdits built the way the client can take them: versioned document changes and
file operations when it supports them, a plain map of text edits otherwise. Every change
the server makes to a file goes through the editor this way, so its undo works."""

from __future__ import annotations

from lsprotocol import types

from cinefile.format.problems import Range

from ..api import FileChange
from .positions import to_client_range
from .server import CinefileServer


def client_edits_files(ls: CinefileServer, operation: str) -> bool:
    """Whether the client takes document changes with this file operation ("create", "rename")."""
    workspace = ls.client_capabilities.workspace
    edit = workspace.workspace_edit if workspace else None
    if edit is None or not edit.document_changes:
        return False
    return operation in [str(op.value if hasattr(op, "value") else op) for op in edit.resource_operations or []]


def changed_span(old: str, new: str) -> tuple[int, int, str]:
    """The smallest middle of `old` to replace to get `new`: (start, end, replacement)."""
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old -= 1
        end_new -= 1
    return start, end_old, new[start:end_new]


def offset_to_position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset)
    return line, offset - (text.rfind("\n", 0, offset) + 1)


class EditBuilder:
    def __init__(self, ls: CinefileServer) -> None:
        self.ls = ls
        self.operations: list = []  # in order: text edits by file, creations and renames
        self.by_uri: dict[str, list[types.TextEdit]] = {}

    def replace(self, rel: str, where: Range, text: str, lines=None) -> None:
        uri = self.ls.uri_of(rel)
        lines = self.ls.lines_of(rel) if lines is None else lines
        edit = types.TextEdit(range=to_client_range(self.ls.workspace.position_codec, lines, where), new_text=text)
        if uri not in self.by_uri:
            self.by_uri[uri] = []
            self.operations.append(("edit", uri))
        self.by_uri[uri].append(edit)

    def change_text(self, rel: str, old: str, new: str) -> bool:
        """One edit turning the file's text `old` into `new`; False when they are equal."""
        if old == new:
            return False
        start, end, replacement = changed_span(old, new)
        where = Range.of(*offset_to_position(old, start), *offset_to_position(old, end))
        self.replace(rel, where, replacement, old.splitlines(True))
        return True

    def add(self, change: FileChange) -> None:
        """A project API change as the editor takes it: a new file, a text edit, a move."""
        if change.old_text is None:
            self.create(change.path, change.new_text or "")
        elif change.new_text is not None:
            self.change_text(change.path, change.old_text, change.new_text)
        if change.new_path and change.new_path != change.path:
            self.rename(change.path, change.new_path)

    def create(self, rel: str, text: str) -> None:
        uri = self.ls.uri_of(rel)
        self.operations.append(("create", uri))
        self.by_uri[uri] = [types.TextEdit(range=types.Range(start=types.Position(line=0, character=0),
                                                              end=types.Position(line=0, character=0)), new_text=text)]

    def rename(self, old_rel: str, new_rel: str) -> None:
        self.operations.append(("rename", (self.ls.uri_of(old_rel), self.ls.uri_of(new_rel))))

    def build(self) -> types.WorkspaceEdit:
        if not any(kind != "edit" for kind, _ in self.operations) and not self._versioned():
            return types.WorkspaceEdit(changes=dict(self.by_uri))
        changes: list = []
        for kind, what in self.operations:
            if kind == "edit":
                changes.append(types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri=what, version=self._version(what)),
                    edits=self.by_uri[what]))
            elif kind == "create":
                changes.append(types.CreateFile(uri=what, options=types.CreateFileOptions(ignore_if_exists=True)))
                changes.append(types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri=what, version=None), edits=self.by_uri[what]))
            else:
                changes.append(types.RenameFile(old_uri=what[0], new_uri=what[1]))
        return types.WorkspaceEdit(document_changes=changes)

    def _versioned(self) -> bool:
        workspace = self.ls.client_capabilities.workspace
        return bool(workspace and workspace.workspace_edit and workspace.workspace_edit.document_changes)

    def _version(self, uri: str) -> int | None:
        document = self.ls.workspace.text_documents.get(uri)
        return document.version if document is not None else None
