"""Commands that generate content, list models and add up the cost: thin converters over the
project API's generation (`cinefile.daemon.api.generation`), which holds every rule."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from cinefile.daemon.errors import UserError

if TYPE_CHECKING:
    from cinefile.daemon.api import GenerationPlan
    from cinefile.daemon.generate import BatchResult

from .common import command, open_api, print_columns, print_json
from .progress import task_progress

INTERRUPTED = 130
STATUSES = ("done", "cached", "failed", "cancelled", "skipped")
CANCELLING = "cancelling: the running jobs stop and nothing is left half-written; press Ctrl-C again to stop now"


@command()
def generate(
    ids: Annotated[Optional[list[str]], typer.Argument(metavar="ID...", help="Blocks to generate for.")] = None,
    stale: Annotated[bool, typer.Option("--stale", help="Every stale block.")] = False,
    phase: Annotated[Optional[str], typer.Option("--phase", metavar="P", help="Every block of a phase: story, design, shooting.")] = None,
    kind: Annotated[str, typer.Option("--kind", help="text (the body), image (a still), video or audio.")] = "text",
    final: Annotated[bool, typer.Option("--final", help="Use final models, whatever the project or block says.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print each prompt, model and cost estimate; run nothing.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Ask the provider again even when an identical request is cached.")] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace text you wrote or edited by hand, too (it stays in history).")] = False,
    jobs: Annotated[Optional[int], typer.Option("-j", "--jobs", min=1, max=32, help="How many at once (default: [generate] concurrency, 4).")] = None,
    mock: Annotated[bool, typer.Option("--mock", help="Use the free, instant mock provider even when keys are set.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for tools.")] = False,
) -> None:
    """Generate text, stills, video or audio for blocks.

    Text fills the block's body (the old one stays in history), unless
    you wrote or edited that body by hand: then it is kept and skipped,
    unless --overwrite. Media go to assets/ and are linked from the block.
    An identical request is served from the cache at no cost. A kind with
    no API key runs in mock mode. Exits 1 when a generation failed, 130
    when interrupted by Ctrl-C.

    Example:

        cinefile generate scene-1 --dry-run
        cinefile generate shot-1a --kind image && cinefile approve shot-1a
        cinefile generate --phase shooting --kind image -j 4
    """
    mode = "final" if final else None
    with open_api() as api:
        targets = api.generation_targets(ids or (), stale=stale, phase=phase, kind=kind)
        if not targets:
            typer.echo(f"nothing to generate: no {'stale ' if stale else ''}block takes {kind} generation")
            return
        plan = api.plan_generation(targets, mode, overwrite=overwrite, mock=mock)
        for note in plan.notes:
            typer.echo(note, err=True)
        if dry_run:
            _dry_run(plan, as_json)
            return
        if not as_json:
            typer.echo(plan.estimate_line, err=True)
        with task_progress("Generating", len(targets)) as advance:
            result = api.generate(targets, mode=mode, jobs=jobs, force=force, overwrite=overwrite, mock=mock,
                                  on_outcome=lambda outcome: advance(f"{outcome.key} {outcome.status}"),
                                  on_progress=lambda job, stage: advance(f"{job.key}: {stage}", 0),
                                  on_cancel=lambda: typer.echo(CANCELLING, err=True))
    _summary(result, as_json)


def _dry_run(plan: GenerationPlan, as_json: bool) -> None:
    from cinefile.daemon.generate.reference_images import references_line

    if as_json:
        print_json(plan.to_json())
    else:
        for job in plan.jobs:
            typer.echo(f"== {job.key} ({job.kind}, {job.mode}) -> {job.provider} {job.model}, "
                       f"about ${job.estimate:.4f}; template: {job.template}")
            if job.reference_images:
                typer.echo(references_line(job.reference_images))
            typer.echo(job.prompt)
        for kept in plan.kept:
            typer.echo(f"would skip {kept.id} ({kept.kind}): {kept.message}", err=True)
        for error in plan.errors:
            typer.echo(f"{error.id}: {error.message}", err=True)
        typer.echo(f"{len(plan.jobs)} to run, about ${plan.total:.4f} in all; nothing was run")
    if plan.errors:
        raise typer.Exit(1)


def _summary(result: BatchResult, as_json: bool) -> None:
    counts = {status: result.count(status) for status in STATUSES}
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
    if not result.complete:
        raise typer.Exit(1)


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
    collections; the lists are cached in project.db for a day. Without a
    provider's key its kinds run on the free mock: that is said first,
    then what would run with the key (the last list fetched, else
    cinefile.toml's and cinefile's defaults).

    Example:

        cinefile models --kind text --draft
    """
    if draft and final:
        raise UserError("--draft and --final exclude each other: give one, or neither for both")
    with open_api(sync_first=False) as api:
        listing = api.models(kind, "draft" if draft else "final" if final else None, refresh)
    if as_json:
        print_json(listing.to_json())
    else:
        for note in listing.notes:
            typer.echo(note, err=True)
        if listing.models:
            print_columns(("kind", "mode", "model", "price", "runs", "from"),
                          [(m.kind, m.tier, m.id, m.price, str(m.runs or ""), m.source) for m in listing.models])
    for error in listing.errors:
        typer.echo(error, err=True)
    if listing.errors and not listing.models:
        raise typer.Exit(1)


@command()
def cost(as_json: Annotated[bool, typer.Option("--json", help="Print JSON for tools.")] = False) -> None:
    """Add up what generation has cost, by mode, provider, kind and block.

    The ledger is assets/ledger.jsonl, one line per paid call.

    Example:

        cinefile cost
    """
    with open_api(sync_first=False) as api:
        summary = api.cost()
    if as_json:
        print_json(summary)
        return
    typer.echo(f"total ${summary['total']:.4f} over {summary['calls']} paid call(s)")
    if not summary["calls"]:
        return  # nothing to break down: mock and cached results are free
    for group in summary["by"]:
        typer.echo(f"by {group}:")
        for name, value in summary["by"][group].items():
            typer.echo(f"  {name:<32} ${value:.4f}")
