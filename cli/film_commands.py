"""Commands that take the film out to film people's formats, and bring a screenplay in.
Both are one call of the project API (daemon/api/film.py); here only arguments and printing."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated, Callable, Iterator, Optional

import typer
from cinefile.daemon.api import ProjectAPI
from cinefile.daemon.exports import FORMAT_NAMES

from .common import command
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
        "--scene-numbers", help="Number every scene heading in the Fountain screenplay.")] = False,
    lock: Annotated[bool, typer.Option(
        "--lock-scene-numbers", help="First write each scene's number into its `scene_number` field.")] = False,
    embed: Annotated[bool, typer.Option(
        "--embed-stills", help="Embed the stills in storyboard.html instead of linking ../assets/.")] = False,
) -> None:
    """Write the project to exports/ in film formats. Same project, same bytes.

    Formats: summary and JSON (the default), Fountain screenplay, shot list,
    breakdown, storyboard and animatic (which needs ffmpeg), or all.

    Prints `wrote FILE` for each file whose bytes changed, `unchanged FILE`
    for the others. A format that cannot be made says why on stderr, after
    the others are written, and the exit code is 2.

    Example:

        cinefile export --format fountain --format shotlist

        cinefile export -f all --scene-numbers
    """
    with ProjectAPI.open() as api, export_bars() as bars:
        result = api.export(formats, scene_numbers=scene_numbers, lock_scene_numbers=lock, embed_stills=embed,
                            progress=bars)
    for path in result.locked:
        typer.echo(f"locked the scene number of {path}")
    for written in result.files:
        typer.echo(f"{'wrote' if written.changed else 'unchanged'} {written.path}")
    for skipped in result.skipped:
        typer.echo(f"cinefile: {skipped.reason}", err=True)
    if result.skipped:
        raise typer.Exit(2)


@command("import")
def import_screenplay(
    screenplay: Annotated[Path, typer.Argument(metavar="FILE", help="A Fountain screenplay (.fountain).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would be created; write nothing.")] = False,
) -> None:
    """Create blocks from a Fountain screenplay.

    Acts and beats come from sections and synopses, scenes from scene headings, characters
    from speaking parts, locations from headings. No existing block is changed; characters
    and locations already there are reused. The title page becomes a [title_page] table in
    cinefile.toml, unless it has one already.

    Example:

        cinefile import ~/scripts/night-ferry.fountain
    """
    with ProjectAPI.open() as api:
        report = api.import_fountain(screenplay.expanduser().absolute(), dry_run=dry_run)
    for block in report.created:
        typer.echo(f"{'would create' if dry_run else 'created'} {block.path}")
    typer.echo(report.summary())
