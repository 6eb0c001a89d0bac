"""Commands that take the film out to film people's formats, and bring a screenplay in.
Both are one call of the project API (daemon/api/film.py); here only arguments and printing."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated, Callable, Iterator, Optional

import typer
from cinefile.daemon.api import ProjectAPI
from cinefile.daemon.exports import FORMAT_NAMES

from .common import command, print_json
from .progress import sync_progress, work_progress


@contextlib.contextmanager
def export_bars() -> Iterator[Callable[[str, float, float], None]]:
    """On a terminal, the bar of the step under way: the sync's, then the animatic's."""
    bars = {"sync": sync_progress, "animatic": lambda: work_progress("Encoding the animatic")}
    with contextlib.ExitStack() as stack:
        shown: list = [None, None]  # the step, and its bar's update function

        def show(step: str, done: float, total: float) -> None:
            if step != shown[0]:
                stack.close()  # the step before is over: its bar goes
                shown[:] = [step, stack.enter_context(bars[step]()) if step in bars else None]
            if shown[1] is not None:
                shown[1](done, total)

        yield show


@command()
def export(
    formats: Annotated[Optional[list[str]], typer.Option(
        "--format", "-f", metavar="FORMAT",
        help=f"One of {', '.join(FORMAT_NAMES)}; repeat it or separate with commas. Default: summary,json.")] = None,
    scene_numbers: Annotated[bool, typer.Option(
        "--scene-numbers", help="Number every scene heading in the screenplay (Fountain and FDX).")] = False,
    lock: Annotated[bool, typer.Option(
        "--lock-scene-numbers", help="First write each scene's number into its `scene_number` field.")] = False,
    embed: Annotated[bool, typer.Option(
        "--embed-stills", help="Embed the stills in storyboard.html instead of linking ../assets/.")] = False,
    slates: Annotated[bool, typer.Option(
        "--slates/--no-slates", help="Burn shot numbers and scene headings into the animatic's pictures.")] = True,
) -> None:
    """Write the project to exports/ in film formats. Same project, same bytes.

    Formats: summary and JSON (the default), Fountain and Final Draft (FDX)
    screenplay, shot list, breakdown, storyboard, storyboard PDF and lookbook
    PDF (which need Pango), and animatic (which needs ffmpeg), or all.

    Prints `wrote FILE` for each file whose bytes changed, `unchanged FILE`
    for the others. A format that cannot be made says why on stderr, after
    the others are written, and the exit code is 2 (0 when there was nothing
    to make: an animatic in a project with no shots yet).

    Example:

        cinefile export --format fountain --format shotlist

        cinefile export -f fdx,storyboard-pdf,lookbook

        cinefile export -f all --scene-numbers
    """
    with ProjectAPI.open() as api, export_bars() as bars:
        result = api.export(formats, scene_numbers=scene_numbers, lock_scene_numbers=lock, embed_stills=embed,
                            progress=bars, slates=slates)
    for path in result.locked:
        typer.echo(f"locked the scene number of {path}")
    for written in result.files:
        typer.echo(f"{'wrote' if written.changed else 'unchanged'} {written.path}")
    for skipped in result.skipped:
        typer.echo(f"cinefile: {skipped.reason}", err=True)
    if any(skipped.failed for skipped in result.skipped):
        raise typer.Exit(2)


@command("import")
def import_screenplay(
    screenplay: Annotated[Path, typer.Argument(
        metavar="FILE", help="A Fountain screenplay (.fountain) or a Final Draft file (.fdx).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would change; write nothing.")] = False,
    prune: Annotated[bool, typer.Option(
        "--prune", help="Delete the imported scenes, acts and beats the screenplay no longer has (kept in history).")] = False,
    overwrite: Annotated[bool, typer.Option(
        "--overwrite", help="Replace a scene's text (or with --prune, delete a block) even when it was "
                            "written or edited in cinefile.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for tools.")] = False,
) -> None:
    """Bring a screenplay (Fountain, or Final Draft .fdx) into the project, or a revised
    draft of it up to date.

    Acts and beats come from sections and synopses, scenes from scene headings, characters
    from speaking parts, locations from headings. A scene the project has already (same
    locked scene number, else same heading and much the same text) is updated in place, so
    its shots, stills and design links stay: its text is replaced when it is still what the
    last import wrote; text written or edited in cinefile is kept and reported (exit 1)
    unless --overwrite. Scenes an earlier import made that the screenplay no longer has are
    listed, and deleted with --prune (those edited in cinefile too, with --overwrite). Old
    versions stay in history. The title page becomes a [title_page] table in cinefile.toml,
    unless it has one already.

    Example:

        cinefile import ~/scripts/night-ferry.fountain --dry-run

        cinefile import ~/scripts/night-ferry-v2.fountain --prune

        cinefile import ~/scripts/night-ferry.fdx
    """
    with ProjectAPI.open() as api:
        report = api.import_fountain(screenplay.expanduser().absolute(), dry_run=dry_run, prune=prune,
                                     overwrite=overwrite)
    if as_json:
        print_json(report.to_json())
    else:
        for block in report.created:
            typer.echo(f"{'would create' if dry_run else 'created'} {block.path}")
        for updated in report.updated:
            typer.echo(f"{'would update' if dry_run else 'updated'} {updated.path} ({', '.join(updated.what)})")
        for gone in report.gone:
            named = f" ({', '.join(gone.named_by)} still name it)" if gone.named_by else ""
            if gone in report.removed:
                typer.echo(f"{'would remove' if dry_run else 'removed'} {gone.path}{named}")
            else:
                why = f"{gone.kept_reason}: --prune --overwrite deletes it" if gone.kept_reason else "--prune deletes it"
                typer.echo(f"gone {gone.path}: no longer in the screenplay; kept ({why}){named}")
        for conflict in report.conflicts:
            typer.echo(f"kept {conflict.path}: {conflict.reason}")
        typer.echo(report.summary())
    if report.conflicts:
        raise typer.Exit(1)
