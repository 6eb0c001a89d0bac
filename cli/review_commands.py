"""Commands that look back through a block's versions, restore one, or mark it reviewed."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from cinefile.daemon.api.history import history as block_history
from cinefile.daemon.api.history import undo as undo_block
from cinefile.daemon.api.review import mark_fresh as mark_blocks_fresh

from .common import command, opened, print_json


@command()
def history(
    block_id: Annotated[str, typer.Argument(metavar="ID", help="The block's id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for tools, with each version's text.")] = False,
) -> None:
    """List every version of a block: when, what happened, and where its file was.

    Example:

        cinefile history scene-1
    """
    with opened() as (_, index, _report):
        revisions = block_history(index, block_id)
    if as_json:
        print_json([r.__dict__ for r in revisions])
        return
    for r in revisions:
        where = f"{r.moved_from} -> {r.path}" if r.moved_from else r.path
        typer.echo(f"v{r.version:<4} {r.timestamp}  {r.action:<7} {where}")


@command()
def undo(
    block_id: Annotated[str, typer.Argument(metavar="ID", help="The block's id.")],
    to: Annotated[Optional[int], typer.Option("--to", metavar="VERSION", help="Restore this version (default: the one before).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite even if the file changed since the last sync.")] = False,
) -> None:
    """Restore an earlier version of a block into its file, atomically; the current one stays in history.

    Refuses when the file was edited since the last sync, unless --force.

    Example:

        cinefile undo scene-1 --to 2
    """
    with opened(sync_first=False) as (project, index, _):
        restored, path = undo_block(project, index, block_id, to, force)
        current = index.block_at(path)
    now = f" (now version {current['version']})" if current else ""
    typer.echo(f"restored {path} to version {restored.version}{now}")


@command("mark-fresh")
def mark_fresh(
    block_ids: Annotated[list[str], typer.Argument(metavar="ID...", help="Blocks to mark up to date.")],
) -> None:
    """Mark blocks up to date: record in each one the current hashes of what it is made from.

    Example:

        cinefile mark-fresh scene-1 shot-1a
    """
    with opened() as (project, index, _report):
        written = mark_blocks_fresh(project, index, block_ids)
        still = [r["key"] for r in index.blocks("state = 'stale'") if r["key"] in block_ids]
        sourceless = [key for key in dict.fromkeys(block_ids) if index.block(key)["path"] not in written]
    for path in written:
        typer.echo(f"marked fresh: {path}")
    for key in sourceless:
        typer.echo(f"`{key}` is made from nothing (no parent, no dependencies), so it is always fresh")
    for key in still:
        row_reason = f"`{key}` is still stale because a block it is made from is stale: mark or regenerate that one too"
        typer.echo(row_reason, err=True)
