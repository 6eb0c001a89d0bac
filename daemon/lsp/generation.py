"""Generation from the editor: the code actions that offer it, with the estimated cost in
their titles, and the `cinefile.generate` command that runs it with progress and
cancellation, then applies the result as a WorkspaceEdit so that the editor's undo works.

Without API keys (none in the environment, none handed over) generation runs in mock mode.
"""

from __future__ import annotations

import datetime

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from cinefile.format.edit import EditError
from cinefile.format.parse import parse_text

from ..errors import UserError
from ..generate import Generator, find_keys
from ..generate.plan import KIND_TYPES
from ..generate.runner import CANCELLED, FAILED
from ..generate.writeback import ROLE_OF_KIND, text_with_asset, text_with_generated
from .commands import apply, block_named
from .edits import EditBuilder
from .model import Node
from .progress import Work
from .server import CinefileServer, log

GENERATE = "cinefile.generate"
GENERATE_ACTION = "refactor.rewrite.cinefile.generate"
MODES = ("draft", "final")
_MEDIA_LABELS = {"image": "still", "video": "video", "audio": "audio"}


def kinds_for(type_name: str) -> list[str]:
    """What can be generated for a type; for shots, stills come before video."""
    return [kind for kind in ("text", "image", "video", "audio") if type_name in KIND_TYPES[kind]]


def audio_label(type_name: str) -> str:
    return "dialogue" if type_name == "scene" else "ambience"


def estimated(ls: CinefileServer, node: Node, kind: str, mode: str) -> str | None:
    """The estimated cost as titles show it, or None when this generation cannot be planned
    now (a video without an approved still, say). Kept per block state on the server, since
    planning reads the index and, with keys, the providers' model lists. Blocking: call it
    from a worker thread."""
    key = (node.id, kind, mode, node.content_hash, tuple(sorted(ls.keys)), ls.model.generation if kind == "video" else 0)
    if key not in ls.estimates:
        try:
            with Generator(ls.project, ls.index, keys=find_keys(session=ls.keys)) as generator:
                job = generator.plan(node.id, kind, mode)
            ls.estimates[key] = "mock, free" if job.provider == "mock" else cost_text(job.estimate)
        except UserError as error:
            # Not kept: what stops planning now (no approved still, a file with errors, a
            # busy index) may be gone at the next request.
            log.info("no %s generation for %s: %s", kind, node.id, error)
            return None
    return ls.estimates[key]


def cost_text(cost: float) -> str:
    return f"~${cost:.4f}".rstrip("0").rstrip(".") if cost >= 0.0001 else "~$0"


def title_for(node: Node, kind: str, mode: str, cost: str) -> str:
    if kind == "text":
        return f"Generate {node.type} ({mode}) · {cost}"
    what = f"audio ({audio_label(node.type)})" if kind == "audio" else _MEDIA_LABELS[kind]
    return f"Generate {what} ({mode}) · {cost}"


def generate_actions(ls: CinefileServer, node: Node) -> list[types.CodeAction]:
    if not ls.model.owns(node) or node.path in ls.model.buffers and node.path not in ls.model.disk:
        return []  # a block the index does not know yet: save it first
    actions = []
    for kind in kinds_for(node.type):
        for mode in MODES if kind == "text" else ("draft",):
            cost = estimated(ls, node, kind, mode)
            if cost is None:
                continue
            title = title_for(node, kind, mode, cost)
            actions.append(types.CodeAction(title=title, kind=GENERATE_ACTION,
                                            command=types.Command(title=title, command=GENERATE, arguments=[node.id, kind, mode])))
    return actions


def cheapest_estimate(ls: CinefileServer, node: Node) -> str | None:
    kinds = kinds_for(node.type)
    return estimated(ls, node, kinds[0], "draft") if kinds else None


async def generate_command(ls: CinefileServer, *args) -> dict:
    """[id, kind (text, image, video, audio; default text), mode (draft, final; default the block's)]."""
    block_id, kind, mode = (list(args) + [None, "text", None][len(args):])[:3]
    kind = kind or "text"
    node = await block_named(ls, block_id)
    if kind not in ("text", "image", "video", "audio") or mode not in (None, *MODES):
        raise JsonRpcInvalidParams(f"cinefile.generate: expected [id, text|image|video|audio, draft|final], got {[block_id, kind, mode]}")
    results = []
    async with Work(ls, f"Generating {_MEDIA_LABELS.get(kind, kind)} for {node.id}") as work:
        def run():
            keys = find_keys(session=ls.keys)
            with Generator(ls.project, ls.index, keys=keys, cancel=work.cancel,
                           apply=lambda job, result: results.append((job, result))) as generator:
                try:
                    job = generator.plan(node.id, kind, mode)
                except UserError as error:
                    raise JsonRpcInvalidParams(str(error)) from None
                work.report(f"{job.provider} · {job.model}", 5)
                return generator.run(job, progress=lambda stage: work.report(stage))

        outcome = await work.run(run)
        if work.cancel.is_set() and outcome.status != CANCELLED:
            # Too late to stop the provider, but not to leave the block alone: the result is
            # cached, so generating again costs nothing.
            outcome.status, outcome.message = CANCELLED, "cancelled; the result is kept in the cache, the block is unchanged"
    if outcome.status in (FAILED, CANCELLED) or not results:
        if outcome.status == FAILED:
            ls.notify_user(f"cinefile: generating {kind} for {node.id} failed: {outcome.message}", types.MessageType.Error)
        return outcome.to_json()
    await apply_result(ls, node, *results[0])
    return outcome.to_json()


async def apply_result(ls: CinefileServer, node: Node, job, result) -> None:
    """Send the generated text, or the new media links, to the editor as one edit."""
    current = "".join(ls.lines_of(node.path))
    block = parse_text(node.path, current)
    try:
        if job.kind == "text":
            at = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
            earlier = block.frontmatter.get("generated")
            generated = (earlier if isinstance(earlier, dict) else {}) | {"from": job.record, "model": job.model,
                                                                          "mode": job.mode, "at": at}
            new = text_with_generated(current, block.body, result.text or "", generated)
        else:
            new = current
            for asset in result.assets:
                block = parse_text(node.path, new)
                new = text_with_asset(new, node.path, block.title, block.body, block.frontmatter.get("assets"), asset,
                                      job.role or ROLE_OF_KIND.get(job.kind, "reference"))
    except EditError as error:
        raise JsonRpcInvalidParams(f"{node.path}: {error} (the result is kept: generate again to use it at no cost)") from None
    builder = EditBuilder(ls)
    builder.change_text(node.path, current, new)
    await apply(ls, f"Generate {job.kind} for {node.id}", builder)
