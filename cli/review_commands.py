"""Commands that review blocks (mark them up to date, approve their assets) and look back
through their versions (history, diff, undo)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from .common import command, open_api, print_json


@command()
def history(
    block_id: Annotated[str, typer.Argument(metavar="ID", help="The block's id (or path; a deleted block's too).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for tools, with each version's text.")] = False,
) -> None:
    """List every version of a block: when, what happened, and where its file was.

    In a git repository, the versions in its commits are listed too, by
    commit (following renames), with their author and subject.

    Example:

        cinefile history scene-1
    """
    with open_api() as api:
        revisions = api.history(block_id)
    if as_json:
        print_json([r.to_json() for r in revisions])
        return
    for r in revisions:
        where = f"{r.moved_from} -> {r.path}" if r.moved_from else r.path
        if r.commit:
            typer.echo(f"{r.commit[:7]} {r.timestamp}  {r.action:<7} {where}  ({r.subject} by {r.by})")
            continue
        how = f"  ({r.how}{' by ' + r.by if r.by else ''})" if r.how else ""
        typer.echo(f"v{r.version:<4} {r.timestamp}  {r.action:<7} {where}{how}")


@command()
def diff(
    block_id: Annotated[str, typer.Argument(metavar="ID", help="The block's id (or path; a deleted block's too).")],
    from_version: Annotated[str, typer.Argument(metavar="FROM", help="The version to compare from (a number, or a commit).")],
    to_version: Annotated[Optional[str], typer.Argument(metavar="TO", help="The version to compare to (default: the file now).")] = None,
) -> None:
    """Show what changed in a block between two versions, as a unified diff.

    Prints nothing when the two are the same. `cinefile history ID` lists the versions.

    Example:

        cinefile diff scene-1 2
        cinefile diff scene-1 1 3
        cinefile diff scene-1 a1b2c3d
    """
    with open_api() as api:
        text = api.diff(block_id, from_version, to_version)
    typer.echo(text, nl=False)


@command()
def undo(
    block_id: Annotated[str, typer.Argument(metavar="ID", help="The block's id (or path; a deleted block's too).")],
    to: Annotated[Optional[str], typer.Option("--to", metavar="VERSION", help="Restore this version: its number, or a commit from `cinefile history` (default: the one before).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite even if the file changed since the last sync (that edit goes to history first).")] = False,
) -> None:
    """Restore an earlier version of a block into its file, atomically; the current one stays in history.

    A deleted block's file is written again. Refuses when the file was
    edited since the last sync, unless --force.

    Example:

        cinefile undo scene-1 --to 2
        cinefile undo scene-1 --to a1b2c3d
    """
    # No sync first: it would take an edit made since the last sync as the current version,
    # and the undo would overwrite it without a word.
    with open_api(sync_first=False) as api:
        undone = api.undo(block_id, to, force)
    typer.echo(undone.message)


@command("mark-fresh")
def mark_fresh(
    block_ids: Annotated[Optional[list[str]], typer.Argument(metavar="ID...", help="Blocks to mark up to date.")] = None,
    stale: Annotated[bool, typer.Option("--stale", help="Every stale block (not the never-reviewed ones: name those).")] = False,
    every: Annotated[bool, typer.Option("--all", help="Every block made from something.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would be marked; write nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for tools.")] = False,
) -> None:
    """Mark blocks up to date: record in each one the saved hashes of what it is made from.

    Once a block is right, this makes it fresh; blocks made from it become
    fresh too, unless something else they are made from is stale.

    Example:

        cinefile mark-fresh scene-1 shot-1a
        cinefile mark-fresh --stale --dry-run
    """
    with open_api() as api:
        result = api.mark_fresh(block_ids or [], stale=stale, all=every, dry_run=dry_run)
    if as_json:
        print_json(result.to_json())
        return
    typer.echo(result.summary)
    for line in result.notes():
        typer.echo(line, err=True)


@command()
def approve(
    block_ids: Annotated[list[str], typer.Argument(metavar="ID...", help="The blocks whose asset to approve.")],
    kind: Annotated[Optional[str], typer.Option("--kind", help="image (a still), video or audio (default: image, or the kind of the asset named).")] = None,
    asset: Annotated[Optional[str], typer.Option("--asset", metavar="SHA", help="Which one, by the start of its hash (default: the newest not approved yet).")] = None,
) -> None:
    """Approve a generated still, video or audio, so that what is made next uses it.

    Video for a shot starts from its approved still; the animatic cuts the
    approved stills, videos and audio. A block has one approved asset of each
    kind: approving one unapproves the others of its kind.

    Example:

        cinefile approve shot-1a
        cinefile approve shot-1a shot-1b --kind video
    """
    with open_api() as api:
        approved = api.approve(block_ids, kind, asset)
    for item in approved:
        typer.echo(item.message)
