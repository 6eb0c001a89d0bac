"""Commands that take the film out to film people's formats, and bring a screenplay in."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated, Optional

import typer

from cinefile.daemon.errors import UserError
from cinefile.daemon.exports import FORMAT_NAMES, ExportOptions, export_format, formats_for
from cinefile.daemon.exports.film import Film
from cinefile.daemon.exports.fountain_import import import_fountain
from cinefile.daemon.exports.numbering import lock_scene_numbers

from .common import command, opened
from .progress import work_progress


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

    Formats: summary and JSON (the default), Fountain screenplay, shot list, breakdown,
    storyboard and animatic (which needs ffmpeg), or all.

    Example:

        cinefile export --format fountain --format shotlist

        cinefile export -f all --scene-numbers
    """
    names = formats_for(formats or [])
    with opened() as (project, index, _report):
        if lock:
            for path in lock_scene_numbers(project, index):
                typer.echo(f"locked the scene number of {path}")
        film = Film.load(project, index)
        for name in names:
            with work_progress("Encoding the animatic") if name == "animatic" else contextlib.nullcontext() as progress:
                written = export_format(film, name, ExportOptions(scene_numbers, embed, progress))
            for path in written:
                typer.echo(f"wrote {path}")


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
    if screenplay.is_dir():
        raise UserError(f"{screenplay}: is a folder: give the path of a .fountain file")
    with opened() as (project, index, _report):
        report = import_fountain(project, index, screenplay, dry_run=dry_run)
    for block in report.created:
        typer.echo(f"{'would create' if dry_run else 'created'} {block.path}")
    typer.echo(report.summary())
