"""The rest of the project API as `workspace/executeCommand`s, so that an editor (or an
agent driving one) reaches every operation the command line has: questions answered as
JSON, and changes to blocks sent to the editor as WorkspaceEdits, so its undo works.

Questions: `cinefile.status`, `cinefile.list [filters]`, `cinefile.show [id]`,
`cinefile.impact [id]`, `cinefile.history [id]`, `cinefile.diff [id, from, to?]`,
`cinefile.models [{kind, tier, refresh}]`, `cinefile.cost`.
Changes: `cinefile.new [type, id?, {title, parent}]`, `cinefile.depend [id, dependency,
relation?]`, `cinefile.undo [id, version?]`.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Callable

from pygls.exceptions import JsonRpcInvalidParams

from ..api import ProjectAPI
from ..errors import UserError
from .commands import apply, block_named, project_open
from .edits import EditBuilder, client_edits_files
from .server import CinefileServer

LIST_FILTERS = ("type", "phase", "tag", "state", "text")
MODEL_OPTIONS = ("kind", "tier", "refresh")

# name -> (what the arguments are, for the error, and the question asked of the API)
QUESTIONS: dict[str, tuple[str, Callable]] = {
    "cinefile.status": ("none", lambda api: api.status().to_json()),
    "cinefile.list": ('optional {"type", "phase", "tag", "state", "text"}',
                      lambda api, filters=None: [b.to_json() for b in api.blocks(**_options(filters, LIST_FILTERS))]),
    "cinefile.show": ("[id or path]", lambda api, ref: api.card(_text(ref)).to_json()),
    "cinefile.impact": ("[id]", lambda api, ref: [b.to_json() for b in api.impact(_text(ref))]),
    "cinefile.history": ("[id]", lambda api, ref: [r.to_json() for r in api.history(_text(ref))]),
    "cinefile.diff": ("[id, from version, optional to version]",
                      lambda api, ref, start, end=None: {"diff": api.diff(_text(ref), _number(start), _number(end, True))}),
    "cinefile.models": ('optional {"kind", "tier", "refresh"}',
                        lambda api, options=None: api.models(**_options(options, MODEL_OPTIONS)).to_json()),
    "cinefile.cost": ("none", lambda api: api.cost()),
}
NEW, DEPEND, UNDO = "cinefile.new", "cinefile.depend", "cinefile.undo"


class _BadArguments(Exception):
    """A command's arguments are not of the shape it takes."""


def _text(value) -> str:
    if not isinstance(value, str) or not value:
        raise _BadArguments
    return value


def _number(value, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise _BadArguments
    return value


def _options(value, allowed: tuple[str, ...]) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict) or set(value) - set(allowed):
        raise _BadArguments
    return value


def register(server: CinefileServer) -> None:
    for name, (shape, question) in QUESTIONS.items():
        server.command(name)(_answering(name, shape, question))
    server.command(NEW)(new_command)
    server.command(DEPEND)(depend_command)
    server.command(UNDO)(undo_command)


def _answering(name: str, shape: str, question: Callable):
    async def answer(ls: CinefileServer, *args):
        await project_open(ls)
        return await _in_worker(ls.api, name, shape, question, *args)

    answer.__name__ = name.replace(".", "_")
    return answer


async def _in_worker(api: ProjectAPI, name: str, shape: str, operation: Callable, *args):
    """The API's answer, worked out off the event loop; its errors as the request's."""

    def run():
        bad = JsonRpcInvalidParams(f"{name}: expected {shape}, got {list(args)!r}")
        try:
            inspect.signature(operation).bind(api, *args)
        except TypeError:
            raise bad from None
        try:
            return operation(api, *args)
        except _BadArguments:
            raise bad from None
        except UserError as error:
            raise JsonRpcInvalidParams(str(error)) from None

    return await asyncio.get_running_loop().run_in_executor(None, run)


async def new_command(ls: CinefileServer, *args) -> dict:
    """[type, optional id, optional {"title", "parent"}]: a block from its type's template,
    created through the editor when it can create files, else written to disk."""
    await project_open(ls)

    def change(api, type_name, block_id=None, options=None):
        options = _options(options, ("title", "parent"))
        return api.new_block(_text(type_name), block_id if block_id is None else _text(block_id), **options)

    made = await _in_worker(ls.api, NEW, '[type, optional id, optional {"title", "parent"}]', change, *args)
    if client_edits_files(ls, "create"):
        builder = EditBuilder(ls)
        builder.add(made)
        await apply(ls, f"New {args[0]}", builder)
    else:
        await _in_worker(ls.api, NEW, "", lambda api: api.apply(made))
    return {"created": made.path}


async def depend_command(ls: CinefileServer, *args) -> dict:
    """[id, dependency, optional relation]: the dependency added to the block's open buffer
    (else its file), in the list style it uses, as an edit."""
    node = await block_named(ls, args[0] if args else None)
    text = "".join(ls.lines_of(node.path))
    change = await _in_worker(ls.api, DEPEND, "[id, dependency, optional relation]",
                              lambda api, _ref, dependency, relation=None: api.dependency_change(
                                  node.path, _text(dependency), relation=relation, text=text), *args)
    builder = EditBuilder(ls)
    builder.change_text(change.path, change.old_text, change.new_text)
    return await apply(ls, f"Depend on {args[1]}", builder)


async def undo_command(ls: CinefileServer, *args) -> dict:
    """[id, optional version]: the block's text put back to that version (default: the one
    before), replacing its open buffer as one edit that the editor can undo in turn."""
    node = await block_named(ls, args[0] if args else None)
    change = await _in_worker(ls.api, UNDO, "[id, optional version]",
                              lambda api, _ref, version=None: api.undo_change(node.path, _number(version, True)), *args)
    builder = EditBuilder(ls)
    if not builder.change_text(node.path, "".join(ls.lines_of(node.path)), change.new_text):
        return {"applied": False}
    return await apply(ls, f"Restore {node.id}", builder)
