"""Generation from the editor: the code actions that offer it, with the estimated cost in
their titles, and the `cinefile.generate` command that runs it through the project API with
progress and cancellation. Each result comes to the editor as a WorkspaceEdit computed from
the open buffer, so that the editor's undo works.

Without API keys (none in the environment, none handed over) generation runs in mock mode.
"""

from __future__ import annotations

import asyncio

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from ..api.generation import Generation
from ..errors import UserError
from ..generate.providers.base import KINDS
from ..generate.runner import CANCELLED, FAILED, SKIPPED
from .commands import apply, block_named
from .edits import EditBuilder
from .model import Node
from .progress import Work
from .server import CinefileServer, log

GENERATE = "cinefile.generate"
GENERATE_ACTION = "refactor.rewrite.cinefile.generate"
MODES = ("draft", "final")
_MEDIA_LABELS = {"image": "still", "video": "video", "audio": "audio"}

kinds_for = Generation.kinds_for  # code lens and actions offer these, in this order


def audio_label(type_name: str) -> str:
    return "dialogue" if type_name == "scene" else "ambience"


def estimated(ls: CinefileServer, node: Node, kind: str, mode: str) -> str | None:
    """The estimated cost as titles show it, or None when this generation cannot be planned
    now (a video without an approved still, say). Blocking: call it from a worker thread."""
    planned = _planned(ls, node, kind, mode)
    return planned[0] if planned else None


def _planned(ls: CinefileServer, node: Node, kind: str, mode: str) -> tuple[str, int] | None:
    """(the estimated cost, how many reference images go with it), or None (see `estimated`).
    Kept per block state on the server, since planning reads the index and, with keys, the
    providers' model lists; video and stills also per project state, since they start from
    approved stills (the shot's own, its characters' and places')."""
    key = (node.id, kind, mode, node.content_hash, tuple(sorted(ls.keys)),
           ls.model.generation if kind in ("image", "video") else 0)
    if key not in ls.estimates:
        try:
            plan = ls.api.plan_generation([(node.id, kind)], mode, overwrite=True, keys=ls.keys)
        except UserError as error:  # a broken cinefile.toml, say
            log.info("no %s generation for %s: %s", kind, node.id, error)
            return None
        if not plan.jobs:
            # Not kept: what stops planning now (no approved still, a file with errors, a
            # busy index) may be gone at the next request.
            log.info("no %s generation for %s: %s", kind, node.id, plan.errors[0].message if plan.errors else "")
            return None
        ls.estimates[key] = (ls.api.cost_text(plan.jobs[0]), len(plan.jobs[0].reference_images))
    return ls.estimates[key]


def title_for(node: Node, kind: str, mode: str, cost: str, replacing: bool = False, references: int = 0) -> str:
    if kind == "text":
        return f"Generate {node.type} ({mode}){', replacing your text' if replacing else ''} · {cost}"
    what = f"audio ({audio_label(node.type)})" if kind == "audio" else _MEDIA_LABELS[kind]
    looks = f" with {references} reference{'s' if references != 1 else ''}" if references else ""
    return f"Generate {what} ({mode}){looks} · {cost}"


def generate_actions(ls: CinefileServer, node: Node) -> list[types.CodeAction]:
    """One action per kind and mode the block takes. Text for a body the person wrote is
    offered as "…, replacing your text" instead, and asks the command to overwrite."""
    if not ls.model.owns(node) or node.path in ls.model.buffers and node.path not in ls.model.disk:
        return []  # a block the index does not know yet: save it first
    actions = []
    for kind in kinds_for(node.type):
        replacing = kind == "text" and ls.api.kept_text_reason(node.path, _text_of(ls, node.path)) is not None
        for mode in MODES if kind == "text" else ("draft",):
            planned = _planned(ls, node, kind, mode)
            if planned is None:
                continue
            title = title_for(node, kind, mode, planned[0], replacing, planned[1])
            arguments = [node.id, kind, mode] + ([{"overwrite": True}] if replacing else [])
            actions.append(types.CodeAction(title=title, kind=GENERATE_ACTION,
                                            command=types.Command(title=title, command=GENERATE, arguments=arguments)))
    return actions


def cheapest_estimate(ls: CinefileServer, node: Node) -> str | None:
    kinds = kinds_for(node.type)
    return estimated(ls, node, kinds[0], "draft") if kinds else None


def _text_of(ls: CinefileServer, path: str) -> str:
    return "".join(ls.lines_of(path))


def _options(value) -> bool:
    """The fourth argument: {"overwrite": true} (or a bare true) replaces a person's text."""
    if isinstance(value, dict):
        return bool(value.get("overwrite"))
    return value is True


async def generate_command(ls: CinefileServer, *args) -> dict:
    """[id, kind (text, image, video, audio; default text), mode (draft, final; default the
    block's), options ({"overwrite": true} to replace text a person wrote)]."""
    block_id, kind, mode, options = (list(args) + [None, "text", None, None][len(args):])[:4]
    kind = kind or "text"
    node = await block_named(ls, block_id)
    if kind not in KINDS or mode not in (None, *MODES) or not isinstance(options, (dict, bool, type(None))):
        raise JsonRpcInvalidParams(f"cinefile.generate: expected [id, text|image|video|audio, draft|final, "
                                   f"{{\"overwrite\": true}}?], got {list(args)}")
    overwrite = _options(options)
    loop = asyncio.get_running_loop()
    async with Work(ls, f"Generating {_MEDIA_LABELS.get(kind, kind)} for {node.id}") as work:
        def send(job, result) -> None:  # from the worker: the edit is computed and sent in the loop
            asyncio.run_coroutine_threadsafe(_send_result(ls, job, result, overwrite), loop).result()

        def progress(job, stage: str) -> None:
            work.report(f"{job.provider} · {job.model}" if stage == "planned" else stage, 5 if stage == "planned" else None)

        result = await work.run(lambda: ls.api.generate(
            [(node.id, kind)], mode=mode, overwrite=overwrite, keys=ls.keys, cancel=work.cancel,
            on_progress=progress, text_of=lambda path: _text_of(ls, path), on_result=send))
        (outcome,) = result.outcomes
    if outcome.status == FAILED:
        ls.notify_user(f"cinefile: generating {kind} for {node.id} failed: {outcome.message}", types.MessageType.Error)
    elif outcome.status == SKIPPED:
        ls.notify_user(f"cinefile: {node.id}: {outcome.message}", types.MessageType.Warning)
    elif outcome.status == CANCELLED:
        log.info("generating %s for %s: %s", kind, node.id, outcome.message)
    return outcome.to_json()


async def _send_result(ls: CinefileServer, job, result, overwrite: bool) -> None:
    """Send the generated text, or the new media links, to the editor as one edit, computed
    from the buffer as it is now."""
    change = ls.api.result_change(job, result, _text_of(ls, job.path), overwrite=overwrite)
    builder = EditBuilder(ls)
    if not builder.change_text(change.path, change.old_text, change.new_text):
        return  # already there (the same still, linked before)
    try:
        await apply(ls, f"Generate {job.kind} for {job.key}", builder)
    except JsonRpcInvalidParams as error:
        raise UserError(str(error)) from None
