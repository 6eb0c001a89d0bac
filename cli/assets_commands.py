"""`cinefile assets`: the project's media in a remote store (push, pull, status, remote)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from .common import app, command, open_api, print_json
from .progress import work_progress

assets = typer.Typer(help="Share assets/ through a remote store: S3 (and compatible), GCS, Azure, SFTP or a folder.\n\n"
                          "Example:\n\n    cinefile assets push", no_args_is_help=True)
app.add_typer(assets, name="assets")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for tools instead of text.")]


def _command(name: str) -> Callable:
    """Register a command of the group with the errors every command has (one line each)."""

    def register(func: Callable) -> Callable:
        run = command(name)(func)
        app.registered_commands.pop()  # `command` registers at the top level: it belongs in the group
        return assets.command(name)(run)

    return register


def _transfer(label: str, run: Callable) -> tuple:
    """Run a push or pull with a progress bar (on a terminal); its result and the store's url."""
    with open_api() as api, work_progress(label) as progress:
        return run(api, progress), api.project.config.remote.url


def _short(names: list[str]) -> str:
    shown = " ".join(name[:12] for name in names[:5])
    return shown + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def _report_failures(result) -> None:
    for _, why in sorted(result.failed.items()):
        typer.echo(f"cinefile: {why}", err=True)
    if result.failed or getattr(result, "nowhere", None):
        raise typer.Exit(1)


@_command("push")
def push(as_json: JsonOption = False) -> None:
    """Send the remote store every asset here that it lacks, with its generation record.

    Each asset goes once (its name is its hash), several at a time; a push that was stopped
    resumes where it was. Exits 1 when an asset could not be sent.

    Example:

        cinefile assets push
    """
    result, url = _transfer("Pushing assets", lambda api, progress: api.push_assets(progress=progress))
    if as_json:
        print_json(result.to_json())
    else:
        typer.echo(f"Sent {len(result.sent)} asset(s) and {result.records} record(s) to {url}; "
                   f"{result.already} already there.")
        if result.replaced:
            typer.echo(f"  Sent again, the store's copy was incomplete: {_short(result.replaced)}")
        if result.cleaned:
            typer.echo(f"  Removed {result.cleaned} partial upload(s) left by a push that was stopped.")
    _report_failures(result)


@_command("pull")
def pull(
    everything: Annotated[bool, typer.Option("--all", help="Every asset on the store, not only those the blocks link.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Fetch the assets the blocks link that are not here, from the remote store.

    Each is checked against its SHA-256 before it is kept: a corrupt or partial object is
    never used, and is reported. Exits 1 when an asset could not be fetched.

    Example:

        cinefile assets pull
    """
    result, url = _transfer("Pulling assets", lambda api, progress: api.pull_assets(everything=everything, progress=progress))
    if as_json:
        print_json(result.to_json())
    else:
        typer.echo(f"Fetched {len(result.sent)} asset(s) and {result.records} record(s) from {url}; "
                   f"{result.already} already here.")
        if result.nowhere:
            typer.echo(f"cinefile: {len(result.nowhere)} linked asset(s) are neither here nor on the store: "
                       f"{_short(result.nowhere)}; push them from a clone that has them", err=True)
    _report_failures(result)


@_command("status")
def status(as_json: JsonOption = False) -> None:
    """What is here, what is on the remote store, and what to push or pull.

    Example:

        cinefile assets status
    """
    with open_api() as api:
        data = api.assets_status()
    if as_json:
        print_json(data.to_json())
        return
    typer.echo(f"Remote: {data.remote}")
    typer.echo(f"  {data.here} here · {data.on_store} on the store")
    if data.in_step:
        typer.echo("  In step: every asset here is on the store, and every linked one is here.")
    if data.to_push:
        typer.echo(f"  To push ({len(data.to_push)}): {_short(data.to_push)}  (`cinefile assets push`)")
    if data.to_pull:
        typer.echo(f"  To pull ({len(data.to_pull)}): {_short(data.to_pull)}  (`cinefile assets pull`)")
    if data.nowhere:
        typer.echo(f"  Linked but nowhere ({len(data.nowhere)}): {_short(data.nowhere)}  (push them from a clone that has them)")
    if data.only_on_store:
        typer.echo(f"  Only on the store, linked by no block: {data.only_on_store}  (`cinefile assets pull --all`)")
    if data.partial_uploads:
        typer.echo(f"  Partial uploads of a stopped push: {data.partial_uploads}  (the next push clears them)")


@_command("remote")
def remote(url: Annotated[str, typer.Argument(help="The store: s3://bucket/folder, gs://, az://, sftp://host/path or file:///path.")]) -> None:
    """Keep this project's assets in a remote store, named in cinefile.toml; assets/ leaves git.

    Adds a remote table to cinefile.toml and /assets/ to .gitignore. Credentials are never
    written: each store takes them from its usual place (see docs/teams.md). Options such
    as `endpoint_url` go in that table by hand.

    Example:

        cinefile assets remote s3://film-assets/night-ferry
    """
    with open_api(sync_first=False) as api:
        applied = api.apply(api.use_remote_changes(url))
    typer.echo(f"Assets now live in {url}: wrote {', '.join(applied.written)}. Next: cinefile assets push")
