"""Commands that create, index and describe a project."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from cinefile.daemon.api.graph import graph_dot, graph_text
from cinefile.daemon.api.scaffold import init_project
from cinefile.daemon.api.status import block_card, problem_lines
from cinefile.daemon.api.status import status as project_status
from cinefile.daemon.errors import UserError
from cinefile.format.catalog import TYPE_NAMES

from .common import command, opened, print_columns, print_json

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for tools instead of text.")]


@command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the project; made if missing.")] = Path("."),
    sample: Annotated[bool, typer.Option("--sample", help="Also write the sample short film, Night Ferry.")] = False,
    name: Annotated[Optional[str], typer.Option(help="The film's name (default: the folder's name).")] = None,
) -> None:
    """Create a film project: story/, design/, shooting/, assets/, exports/ and cinefile.toml.

    Example:

        cinefile init night-ferry --sample
    """
    project = init_project(directory, sample=sample, name=name)
    typer.echo(f"Created {project.config.name!r} in {directory}")
    if sample:
        with opened(project.root) as (_, index, _report):
            data = project_status(project, index)
        typer.echo(f"  {data['blocks']} blocks, {len(data['stale'])} stale. Next: cd {directory} && cinefile status")


@command()
def sync(
    as_json: JsonOption = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every file that changed.")] = False,
) -> None:
    """Bring project.db in line with the files: added, modified, removed and renamed blocks.

    Prints `+added ~modified -removed >renamed in time`. Exits 1 when a file has an error.

    Example:

        cinefile sync
    """
    with opened() as (_, index, report):
        errors = [p for p in problem_lines(index) if p["severity"] == "error"]
    if as_json:
        print_json(report.to_json() | {"errors": len(errors)})
    else:
        typer.echo(report.summary())
        if verbose:
            for sign, paths in (("+", report.added), ("~", report.modified), ("-", report.removed)):
                for path in paths:
                    typer.echo(f"  {sign} {path}")
            for old, new in report.renamed:
                typer.echo(f"  > {old} -> {new}")
        for path, reason in sorted(report.refused.items()):
            typer.echo(f"{path}: {reason}", err=True)
        if errors:
            typer.echo(f"{len(errors)} problem(s) found: run `cinefile status` to see them", err=True)
    if errors:
        raise typer.Exit(1)


@command()
def status(as_json: JsonOption = False) -> None:
    """Counts by phase and type, the stale blocks and why, and every problem as file:line:col.

    Exits 1 when any block has an error.

    Example:

        cinefile status --json
    """
    with opened() as (project, index, _):
        data = project_status(project, index)
    if as_json:
        print_json(data)
    else:
        typer.echo(f"{data['project']} · {data['blocks']} blocks · {data['mode']} mode")
        for phase, counts in data["phases"].items():
            detail = " · ".join(f"{name} {count}" for name, count in counts.items()) or "-"
            typer.echo(f"  {phase:<9} {sum(counts.values()):>4}  {detail}")
        typer.echo(f"\nStale ({len(data['stale'])})" + (":" if data["stale"] else ": none"))
        for item in data["stale"]:
            typer.echo(f"  {item['id']} is stale: {item['reason']}  [{item['path']}]")
        if data["unreviewed"]:
            ids = " ".join(item["id"] for item in data["unreviewed"])
            typer.echo(f"\nNever reviewed ({len(data['unreviewed'])}): {ids}")
            typer.echo("  `cinefile mark-fresh ID` records what a block was made from, once it is right.")
        typer.echo(f"\nProblems ({len(data['problems'])})" + (":" if data["problems"] else ": none"))
        for problem in data["problems"]:
            typer.echo(f"  {problem['text']}")
    if data["errors"]:
        raise typer.Exit(1)


@command("list")
def list_blocks(
    type_: Annotated[Optional[str], typer.Option("--type", help="Only blocks of this type.")] = None,
    tag: Annotated[Optional[str], typer.Option("--tag", help="Only blocks with this tag.")] = None,
    stale: Annotated[bool, typer.Option("--stale", help="Only stale blocks.")] = False,
    as_json: JsonOption = False,
) -> None:
    """List blocks with their type, phase, state and file.

    Example:

        cinefile list --type shot --stale
    """
    if type_ is not None and type_ not in TYPE_NAMES:
        raise UserError(f"--type {type_}: unknown type; use one of {', '.join(TYPE_NAMES)}")
    with opened() as (_, index, _report):
        rows = index.blocks()
    rows = [r for r in rows if (type_ is None or r["type"] == type_) and (not stale or r["state"] == "stale")
            and (tag is None or tag in json.loads(r["tags"] or "[]"))]
    if as_json:
        print_json([{"id": r["key"], "type": r["type"], "phase": r["phase"], "title": r["title"], "state": r["state"],
                     "path": r["path"]} for r in rows])
        return
    print_columns(("id", "type", "phase", "state", "title", "path"),
                  [(r["key"], r["type"], r["phase"] or "", r["state"] or "", r["title"], r["path"]) for r in rows])


@command()
def show(block_id: Annotated[str, typer.Argument(metavar="ID", help="The block's id.")], as_json: JsonOption = False) -> None:
    """Show one block: its facts, state, problems, dependencies, dependents and body.

    Example:

        cinefile show scene-1
    """
    with opened() as (_, index, _report):
        card = block_card(index, block_id)
    if card is None:
        raise UserError(f"no block `{block_id}`: check the id with `cinefile list`")
    if as_json:
        print_json(card)
        return
    typer.echo(f"{card['title']}  ({card['id']}, {card['type']}, version {card['version']})")
    typer.echo(f"  file:        {card['path']}")
    typer.echo(f"  state:       {card['state']}" + (f": {card['stale_reason']}" if card["stale_reason"] else ""))
    if card["parent"]:
        typer.echo(f"  parent:      {card['parent']}")
    if card["dependencies"]:
        typer.echo("  depends on:  " + ", ".join(d["id"] + (f" ({d['type']})" if d["type"] else "") for d in card["dependencies"]))
    if card["dependents"]:
        typer.echo("  used by:     " + ", ".join(f"{d['id']} ({d['kind']})" for d in card["dependents"]))
    if card["tags"]:
        typer.echo("  tags:        " + ", ".join(card["tags"]))
    for line in card["problems"]:
        typer.echo(f"  {line}")
    typer.echo("")
    typer.echo(card["body"].rstrip("\n"))


@command()
def graph(
    fmt: Annotated[str, typer.Option("--format", help="text, or dot for Graphviz.")] = "text",
) -> None:
    """Print the dependency graph: each block and what it is made from.

    Example:

        cinefile graph --format dot | dot -Tsvg > graph.svg
    """
    if fmt not in ("text", "dot"):
        raise UserError(f"--format {fmt}: use text or dot")
    with opened() as (_, index, _report):
        typer.echo(graph_dot(index) if fmt == "dot" else graph_text(index), nl=False)
