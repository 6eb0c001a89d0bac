"""Commands that generate content, approve stills, list models and add up the cost."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from cinefile.daemon.errors import UserError
from cinefile.format.catalog import PHASES

# The generation package (httpx and the providers) is imported inside each command that uses
# it: importing it here cost every other command 0.1 s at start-up (measured).
if TYPE_CHECKING:
    from cinefile.daemon.generate import Generator
    from cinefile.daemon.generate.catalog import ModelInfo
    from cinefile.daemon.generate.settings import Settings

from .common import command, opened, print_columns, print_json
from .progress import task_progress

INTERRUPTED = 130
_KEY_HINTS = {"openrouter": ("OpenRouter", "OPENROUTER_API_KEY"), "replicate": ("Replicate", "REPLICATE_API_TOKEN")}


def _targets(index, ids: list[str], stale: bool, phase: str | None, kind: str) -> list[tuple[str, str]]:
    from cinefile.daemon.generate.plan import KIND_TYPES
    from cinefile.daemon.generate.providers.base import KINDS

    chosen = sum(bool(x) for x in (ids, stale, phase))
    if chosen != 1:
        raise UserError("say what to generate: block ids, or --stale, or --phase PHASE (one of them)")
    if kind not in KINDS:
        raise UserError(f"--kind {kind}: use one of {', '.join(KINDS)}")
    if ids:
        missing = [i for i in ids if index.block(i) is None]
        if missing:
            raise UserError(f"no block {', '.join(f'`{m}`' for m in missing)}: check the ids with `cinefile list`")
        return [(i, kind) for i in dict.fromkeys(ids)]
    if phase:
        names = {p.lower(): p for p in PHASES[:-1]}
        if phase.lower() not in names:
            raise UserError(f"--phase {phase}: use one of {', '.join(names.values())}")
        rows = index.blocks("phase = ?", [names[phase.lower()]])
    else:
        rows = index.blocks("state = 'stale'")
    return [(r["key"], kind) for r in rows if r["type"] in KIND_TYPES[kind]]


@command()
def generate(
    ids: Annotated[Optional[list[str]], typer.Argument(metavar="ID...", help="Blocks to generate for.")] = None,
    stale: Annotated[bool, typer.Option("--stale", help="Every stale block.")] = False,
    phase: Annotated[Optional[str], typer.Option("--phase", metavar="P", help="Every block of a phase: story, design, shooting.")] = None,
    kind: Annotated[str, typer.Option("--kind", help="text (the body), image (a still), video or audio.")] = "text",
    final: Annotated[bool, typer.Option("--final", help="Use final models, whatever the project or block says.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print each prompt, model and cost estimate; run nothing.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Ask the provider again even when an identical request is cached.")] = False,
    jobs: Annotated[Optional[int], typer.Option("-j", "--jobs", min=1, max=32, help="How many at once (default: [generate] concurrency, 4).")] = None,
    mock: Annotated[bool, typer.Option("--mock", help="Use the free, instant mock provider even when keys are set.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for tools.")] = False,
) -> None:
    """Generate text, stills, video or audio for blocks.

    Text fills the block's body (the old one stays in history); media go to
    assets/ and are linked from the block. An identical request is served
    from the cache at no cost. A kind with no API key runs in mock mode.
    Exits 1 when a generation failed, 130 when interrupted by Ctrl-C.

    Example:

        cinefile generate scene-1 --dry-run
        cinefile generate shot-1a --kind image && cinefile approve shot-1a
        cinefile generate --phase shooting --kind image -j 4
    """
    from cinefile.daemon.generate import Generator, find_keys, run_batch
    from cinefile.daemon.generate.plan import provider_for

    keys = find_keys()
    with opened() as (project, index, _report):
        targets = _targets(index, ids or [], stale, phase, kind)
        if not targets:
            typer.echo(f"nothing to generate: no {'stale ' if stale else ''}block takes {kind} generation")
            return
        with Generator(project, index, keys=keys, mock=mock, force=force) as generator:
            provider = provider_for(kind, keys, mock)
            if provider == "mock" and not mock:
                name, env = _KEY_HINTS["openrouter" if kind == "text" else "replicate"]
                typer.echo(f"no {name} key ({env} is not set): {kind} runs in mock mode, free and offline", err=True)
            mode = "final" if final else None
            if dry_run:
                _dry_run(generator, targets, mode, as_json)
                return
            if not as_json:
                typer.echo(_estimate_line(generator, targets, mode), err=True)
            with task_progress("Generating", len(targets)) as advance:
                result = run_batch(generator, targets, mode, jobs or generator.settings.concurrency,
                                   lambda outcome: advance(f"{outcome.key} {outcome.status}"))
    _summary(result, as_json)


def _estimate_line(generator: Generator, targets: list[tuple[str, str]], mode: str | None) -> str:
    """What the batch should cost, said before anything is paid for."""
    total, planned = 0.0, 0
    for key, kind in targets:
        try:
            total += generator.plan(key, kind, mode).estimate
            planned += 1
        except UserError:
            continue  # the run reports it, with its reason
    return f"{planned} to generate, about ${total:.4f} before cache hits"


def _dry_run(generator: Generator, targets: list[tuple[str, str]], mode: str | None, as_json: bool) -> None:
    plans, failed = [], []
    for key, kind in targets:
        try:
            plans.append(generator.plan(key, kind, mode))
        except UserError as error:
            failed.append({"id": key, "kind": kind, "error": str(error)})
    if as_json:
        print_json({"jobs": [p.to_json() for p in plans], "errors": failed,
                    "estimate_usd": round(sum(p.estimate for p in plans), 6)})
    else:
        for job in plans:
            typer.echo(f"== {job.key} ({job.kind}, {job.mode}) -> {job.provider} {job.model}, "
                       f"about ${job.estimate:.4f}; template: {job.template}")
            typer.echo(job.prompt)
        for item in failed:
            typer.echo(f"{item['id']}: {item['error']}", err=True)
        typer.echo(f"{len(plans)} to run, about ${sum(p.estimate for p in plans):.4f} in all; nothing was run")
    if failed:
        raise typer.Exit(1)


def _summary(result, as_json: bool) -> None:
    counts = {s: result.count(s) for s in ("done", "cached", "failed", "cancelled", "skipped")}
    if as_json:
        print_json({"outcomes": [o.to_json() for o in result.outcomes], **counts,
                    "cost_usd": round(result.cost, 6), "interrupted": result.interrupted})
    else:
        for outcome in result.outcomes:
            if outcome.status in ("failed", "skipped"):
                typer.echo(f"{outcome.status} {outcome.key} ({outcome.kind}): {outcome.message}", err=True)
        typer.echo(" · ".join(f"{name} {n}" for name, n in counts.items() if n or name in ("done", "cached", "failed"))
                   + f" · cost ${result.cost:.4f}")
    if result.interrupted:
        typer.echo("interrupted: in-flight predictions were cancelled; nothing was left half-written", err=True)
        raise typer.Exit(INTERRUPTED)
    if counts["failed"] or counts["skipped"]:
        raise typer.Exit(1)


@command()
def approve(
    block_id: Annotated[str, typer.Argument(metavar="ID", help="The block whose still to approve.")],
    asset: Annotated[Optional[str], typer.Option("--asset", metavar="SHA", help="Which still, by the start of its hash (default: the newest).")] = None,
) -> None:
    """Approve a still, so that video for the block starts from it.

    Example:

        cinefile approve shot-1a
    """
    from cinefile.daemon.generate import approve as approve_still

    with opened() as (project, index, _report):
        pick = approve_still(project, index, block_id, asset)
    typer.echo(f"approved still {pick['sha256'][:12]} for {block_id}")


@command()
def models(
    kind: Annotated[Optional[str], typer.Option("--kind", help="text, image, video or audio (default: all).")] = None,
    draft: Annotated[bool, typer.Option("--draft", help="Only draft models.")] = False,
    final: Annotated[bool, typer.Option("--final", help="Only final models.")] = False,
    refresh: Annotated[bool, typer.Option("--refresh", help="Ask the providers again instead of using the cached lists.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for tools.")] = False,
) -> None:
    """List the models generation can use, draft or final, with prices.

    Text models come from OpenRouter, the others from Replicate's
    collections; the lists are cached in project.db for a day.

    Example:

        cinefile models --kind text --draft
    """
    from cinefile.daemon.generate import GenerationError, find_keys
    from cinefile.daemon.generate.catalog import CATALOG_KINDS, Catalog
    from cinefile.daemon.generate.providers.base import KINDS
    from cinefile.daemon.generate.providers.openrouter import OpenRouter
    from cinefile.daemon.generate.providers.replicate import Replicate
    from cinefile.daemon.generate.settings import settings_of

    if kind is not None and kind not in KINDS:
        raise UserError(f"--kind {kind}: use one of {', '.join(KINDS)}")
    if draft and final:
        raise UserError("--draft and --final exclude each other: give one, or neither for both")
    catalog_kinds = [k for k in CATALOG_KINDS if kind is None or k == kind or (kind == "audio" and k in ("speech", "music"))]
    keys = find_keys()
    openrouter = OpenRouter(keys.openrouter) if keys.openrouter else None
    replicate = Replicate(keys.replicate) if keys.replicate else None
    listed, notes = [], []
    try:
        with opened() as (project, index, _report):
            catalog = Catalog(index, openrouter, replicate)
            for catalog_kind in catalog_kinds:
                try:
                    listed += catalog.models(catalog_kind, refresh=refresh)
                except GenerationError as error:
                    notes.append(f"{catalog_kind}: {error}")
    finally:
        for provider in (openrouter, replicate):
            if provider:
                provider.close()
    listed = [m for m in listed if not (draft and not m.draft) and not (final and m.draft)]
    settings = settings_of(project.config)
    prices = {m.id: _price_text(m, settings) for m in listed}
    if as_json:
        print_json([{"id": m.id, "provider": m.provider, "kind": m.kind, "mode": "draft" if m.draft else "final",
                     "usd_per_1k_tokens": m.price_per_1k, "price": prices[m.id],
                     "start_image_field": m.start_image_field if m.kind == "video" else None,
                     "runs": m.run_count} for m in listed])
    else:
        print_columns(("kind", "mode", "model", "price", "runs"),
                      [(m.kind, "draft" if m.draft else "final", m.id, prices[m.id], str(m.run_count or "")) for m in listed])
    for note in notes:
        typer.echo(note, err=True)
    if notes and not listed:
        raise typer.Exit(1)


def _price_text(model: ModelInfo, settings: Settings) -> str:
    """OpenRouter's price per 1k tokens; for Replicate, cinefile's table (it publishes none)."""
    from cinefile.daemon.generate.costs import replicate_price

    if model.provider == "openrouter":
        return f"${model.price_per_1k:.5f}/1k tokens" if model.price_per_1k is not None else "variable"
    kind = "audio" if model.kind in ("speech", "music") else model.kind
    price = replicate_price(settings, model.id, kind, "draft" if model.draft else "final")
    if "per_image" in price:
        return f"${price['per_image']:.4f}/image (table)"
    if "per_second" in price:
        return f"${price['per_second']:.4f}/s of run time (table)"
    return f"${price.get('per_run', 0.0):.4f}/run (table)"


@command()
def cost(as_json: Annotated[bool, typer.Option("--json", help="Print JSON for tools.")] = False) -> None:
    """Add up what generation has cost, by mode, provider, kind and block.

    The ledger is assets/ledger.jsonl, one line per paid call.

    Example:

        cinefile cost
    """
    from cinefile.daemon.generate.ledger import GROUPS, Ledger

    with opened(sync_first=False) as (project, _index, _report):
        summary = Ledger(project.assets).summary()
    if as_json:
        print_json(summary)
        return
    typer.echo(f"total ${summary['total']:.4f} over {summary['calls']} paid call(s)")
    if not summary["calls"]:
        return  # nothing to break down: mock and cached results are free
    for group in GROUPS:
        typer.echo(f"by {group}:")
        for name, value in summary["by"][group].items():
            typer.echo(f"  {name:<32} ${value:.4f}")
