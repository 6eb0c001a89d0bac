"""Commands that create, index and describe a project, and create or rename its blocks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from cinefile.daemon.api.scaffold import init_project
from cinefile.daemon.errors import UserError
from cinefile.daemon.api.status import ProjectStatus
from cinefile.daemon.remote.missing import not_here_line

from .common import command, open_api, print_columns, print_json
from .progress import sync_progress

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for tools instead of text.")]
IdArgument = Annotated[str, typer.Argument(metavar="ID", help="The block's id, or its file's path (story/scene-1.md).")]


@command()
def init(
    directory: Annotated[Path, typer.Argument(help="Folder for the project; made if missing.")] = Path("."),
    sample: Annotated[bool, typer.Option("--sample", help="Also write the sample short film, Night Ferry.")] = False,
    name: Annotated[Optional[str], typer.Option(help="The film's name (default: the folder's name).")] = None,
    remote: Annotated[Optional[str], typer.Option(help="Where the assets live (s3://bucket/prefix, gs://, az://, "
                                                       "sftp://, file:///...): set in cinefile.toml, and media "
                                                       "kept out of git.")] = None,
) -> None:
    """Create a film project: story/, design/, shooting/, assets/, exports/ and cinefile.toml.

    Example:

        cinefile init night-ferry --sample
    """
    project = init_project(directory, sample=sample, name=name, remote=remote)
    typer.echo(f"Created {project.config.name!r} in {directory}")
    if sample:
        with open_api(project.root) as api:
            status = api.status()
        typer.echo(f"  {status.blocks} blocks, {len(status.stale)} stale. Next: cd {directory} && cinefile status")


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
    with open_api(sync_first=False) as api:
        with sync_progress() as progress:
            report = api.sync(progress=progress)
        errors = api.error_count()
        missing = api.missing_assets()
        remote = api.project.config.remote is not None
    if as_json:
        print_json(report.to_json() | {"errors": errors, "missing_assets": len(missing)})
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
        if missing:
            typer.echo(f"{not_here_line(len(missing), remote)} (`cinefile status` lists them)", err=True)
        if errors:
            typer.echo(f"{errors} problem(s) found: run `cinefile status` to see them", err=True)
    if errors:
        raise typer.Exit(1)


SHOWN = 5  # lines of each list and problem kind in the summary: `--all` for every one


def _more(shown: int, total: int, indent: str = "  ") -> list[str]:
    return [f"{indent}… and {total - shown:,} more"] if total > shown else []


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _status_lines(status: ProjectStatus) -> list[str]:
    """The status as text: the lists whole, or (a summary) the first few of each with counts."""
    counts = status.counts
    lines = [f"{status.project} · {status.blocks:,} blocks · {status.mode} mode"]
    for phase, by_type in status.phases.items():
        detail = " · ".join(f"{name} {count:,}" for name, count in by_type.items()) or "-"
        lines.append(f"  {phase:<9} {sum(by_type.values()):>4,}  {detail}")
    if counts["broken"]:
        lines += ["", f"Broken ({counts['broken']:,}):"]
        lines += [f"  {item['id']} cannot be read: {item['reason']}  [{item['path']}]" for item in status.broken]
        lines += _more(len(status.broken), counts["broken"])
    lines += ["", f"Stale ({counts['stale']:,})" + (":" if counts["stale"] else ": none")]
    lines += [f"  {item['id']} is stale: {item['reason']}  [{item['path']}]" for item in status.stale]
    lines += _more(len(status.stale), counts["stale"])
    if counts["unreviewed"]:
        more = counts["unreviewed"] - len(status.unreviewed)
        ids = " ".join(item["id"] for item in status.unreviewed) + (f" … and {more:,} more" if more else "")
        lines += ["", f"Never reviewed ({counts['unreviewed']:,}): {ids}",
                  "  `cinefile mark-fresh ID` records what a block was made from, once it is right."]
    lines += ["", *_problem_lines(status)]
    if status.missing_assets:  # not broken: on the remote store, or to generate again
        shown = status.missing_assets if status.shown is None else status.missing_assets[:status.shown]
        lines += ["", f"Assets not here ({len(status.missing_assets):,}):"]
        lines += [f"  {item['path']}:{item['line']}: {item['message']}" for item in shown]
        lines += _more(len(shown), len(status.missing_assets))
    if status.elided:
        lines += ["", f"Each list shows its first {status.shown}: `cinefile status --all` prints every line."]
    return lines


def _problem_lines(status: ProjectStatus) -> list[str]:
    """Every problem by file, or (a summary) the first few of each kind under its count."""
    counts = status.counts
    if not counts["problems"]:
        return ["Problems (0): none"]
    severities = ", ".join(_plural(n, word) for n, word in ((counts["errors"], "error"), (counts["warnings"], "warning")) if n)
    lines = [f"Problems ({counts['problems']:,}): {severities}"]
    if status.shown is None:
        return lines + [f"  {problem.text}" for problem in status.problems]
    for kind in status.kinds:
        first = [p for p in status.problems if p.code == kind.code and p.severity == kind.severity]
        lines += [f"  {kind.code}, {_plural(kind.count, kind.severity)}:", *(f"    {p.text}" for p in first)]
        lines += _more(len(first), kind.count, "    ")
    return lines


@command()
def status(
    as_json: JsonOption = False,
    every: Annotated[bool, typer.Option("--all", help="Every stale block and problem, not the first few of each.")] = False,
) -> None:
    """Counts by phase and type; the stale, never reviewed and broken blocks; the problems.

    A summary: counts, and the first few of each list and each kind of problem. `--all`
    prints every line (problems as file:line:col); `--json` holds everything. Exits 1 when
    any block has an error.

    Example:

        cinefile status --all
    """
    with open_api() as api:
        data = api.status(shown=None if every or as_json else SHOWN)
    if as_json:
        print_json(data.to_json())
    else:
        typer.echo("\n".join(_status_lines(data)))
    if data.errors:
        raise typer.Exit(1)


@command("list")
def list_blocks(
    type_: Annotated[Optional[str], typer.Option("--type", help="Only blocks of this type.")] = None,
    phase: Annotated[Optional[str], typer.Option("--phase", help="Only blocks of this phase: story, design, shooting.")] = None,
    tag: Annotated[Optional[str], typer.Option("--tag", help="Only blocks with this tag.")] = None,
    state: Annotated[Optional[str], typer.Option("--state", help="Only blocks in this state: fresh, stale, unreviewed, broken.")] = None,
    stale: Annotated[bool, typer.Option("--stale", help="Only stale blocks (the same as --state stale).")] = False,
    text: Annotated[Optional[str], typer.Option("--text", help="Only blocks whose id, title or body holds this text.")] = None,
    tree: Annotated[bool, typer.Option("--tree", help="Indent each block under its parent.")] = False,
    as_json: JsonOption = False,
) -> None:
    """List blocks in story order with their type, phase, state and file.

    Story order: acts, beats and scenes (by `order`, then by file), with shot breakdowns
    and shots under their scene; then design, then shooting.

    Example:

        cinefile list --type shot --stale
    """
    with open_api() as api:
        blocks = api.blocks(type=type_, phase=phase, tag=tag, state="stale" if stale else state, text=text)
    if as_json:
        print_json([b.to_json() for b in blocks])
        return
    indent = (lambda b: "  " * b.depth) if tree else (lambda b: "")
    print_columns(("id", "type", "phase", "state", "title", "path"),
                  [(indent(b) + b.id, b.type, b.phase, b.state, b.title, b.path) for b in blocks])


LISTED = 10  # dependencies and dependents `show` names before counting the rest


def _listed(names: list[str], every: bool) -> str:
    """Names joined on one line: the first LISTED of them and a count of the rest, unless `every`."""
    if every or len(names) <= LISTED:
        return ", ".join(names)
    return ", ".join(names[:LISTED]) + f", … and {len(names) - LISTED:,} more (--all lists them)"


@command()
def show(
    block_id: IdArgument,
    as_json: JsonOption = False,
    every: Annotated[bool, typer.Option("--all", help=f"Every dependency and dependent, not the first {LISTED}.")] = False,
) -> None:
    """Show one block: its facts, state, problems, dependencies, dependents, assets and body.

    A path reaches a block whose id another file has too. Long lists of dependencies and
    dependents name the first few and count the rest: `--all` names every one.

    Example:

        cinefile show scene-1
    """
    with open_api() as api:
        card = api.card(block_id)
    if as_json:
        print_json(card.to_json())
        return
    typer.echo(f"{card.title}  ({card.id}, {card.type or 'no type'}, version {card.version})")
    typer.echo(f"  file:        {card.path}")
    typer.echo(f"  state:       {card.state}" + (f": {card.stale_reason}" if card.stale_reason else ""))
    if card.parent:
        typer.echo(f"  parent:      {card.parent}")
    if card.dependencies:
        typer.echo("  depends on:  " + _listed([d["id"] + (f" ({d['type']})" if d["type"] else "") for d in card.dependencies], every))
    if card.dependents:
        typer.echo("  used by:     " + _listed([f"{d['id']} ({d['kind']})" for d in card.dependents], every))
    if card.tags:
        typer.echo("  tags:        " + ", ".join(card.tags))
    for asset in card.assets:
        approval = "approved" if asset.approved else "not approved"
        where = asset.path or "missing from assets/"
        typer.echo(f"  {asset.role + ':':<12} {asset.sha256[:12]}  {approval}  {where}")
    for problem in card.problems:
        typer.echo(f"  {problem.text}")
    typer.echo("")
    typer.echo(card.body.rstrip("\n"))


@command()
def graph(
    fmt: Annotated[str, typer.Option("--format", help="text, or dot for Graphviz.")] = "text",
) -> None:
    """Print the dependency graph: each block and what it is made from.

    Example:

        cinefile graph --format dot | dot -Tsvg > graph.svg
    """
    with open_api() as api:
        typer.echo(api.graph(fmt), nl=False)


@command()
def snapshot() -> None:
    """Print the whole project as JSON for tools and editors.

    Every block in story order with its state and assets, the mode and the spend: the same
    answer as the language server's `cinefile.blocks` command, which editors fall back on.

    Example:

        cinefile snapshot
    """
    with open_api() as api:
        print_json(api.snapshot().to_json())


@command()
def new(
    type_: Annotated[str, typer.Argument(metavar="TYPE", help="The block's type: scene, shot, character, ...")],
    block_id: Annotated[Optional[str], typer.Argument(metavar="[ID]", help="Its id (default: from the title).")] = None,
    title: Annotated[Optional[str], typer.Option("--title", help="Its title (default: from the id).")] = None,
    parent: Annotated[Optional[str], typer.Option("--parent", help="The block it belongs to; must be of an allowed type.")] = None,
) -> None:
    """Create a block from its type's template, in its phase's folder.

    Example:

        cinefile new scene scene-3 --parent beat-2 --title "The Wheelhouse"
    """
    with open_api() as api:
        change = api.new_block(type_, block_id, title=title, parent=parent)
        api.apply(change)
    typer.echo(f"created {change.path}")


@command()
def rename(
    old: Annotated[str, typer.Argument(metavar="OLD", help="The block's id now.")],
    new: Annotated[str, typer.Argument(metavar="NEW", help="Its new id.")],
) -> None:
    """Rename a block id everywhere, making nothing stale.

    Every reference, every `generated.from` record, its own `id:`, and its file when the
    file is named after the id.

    Example:

        cinefile rename mara mara-voss
    """
    with open_api() as api:
        applied = api.apply(api.rename(old, new))
    for path in applied.written:
        typer.echo(f"wrote {path}")
    for old_path, new_path in applied.report.renamed if applied.report else []:
        typer.echo(f"moved {old_path} -> {new_path}")


@command()
def depend(
    block_id: IdArgument,
    dependency: Annotated[str, typer.Argument(metavar="DEPENDENCY", help="The id of the block it is made from.")],
    relation: Annotated[Optional[str], typer.Option("--as", metavar="RELATION",
                                                    help="A typed relation: appears_in, set_in, wears, styled_by, ...")] = None,
) -> None:
    """Add a block to another's dependencies: what it is made from.

    A change to the dependency then makes this block stale. The list keeps the style the
    file uses.

    Example:

        cinefile depend scene-2 mara --as appears_in
    """
    with open_api() as api:
        change = api.dependency_change(block_id, dependency, relation=relation)
        api.apply(change)
    typer.echo(f"{change.path}: depends on {dependency}" + (f" ({relation})" if relation else ""))


@command()
def reference(
    block_id: IdArgument,
    image: Annotated[Path, typer.Argument(metavar="IMAGE", help="A PNG, JPEG, WebP or GIF file, 10 MB at most.")],
) -> None:
    """Link a reference image of your own to a block: stored once by hash in assets/.

    Example:

        cinefile reference mara ~/photos/mara-look.jpg
    """
    if not image.is_file():
        raise UserError(f"{image}: no such file: give the path of an image")
    with open_api() as api:
        change = api.reference_change(block_id, image.read_bytes(), name=str(image))
        api.apply(change)
    typer.echo(f"{change.path}: linked {image.name} as a reference")


@command()
def impact(block_id: IdArgument, as_json: JsonOption = False) -> None:
    """List every block that would go stale if this one changed.

    Example:

        cinefile impact mara
    """
    with open_api() as api:
        impacted = api.impact(block_id)
    if as_json:
        print_json([b.to_json() for b in impacted])
        return
    if not impacted:
        typer.echo(f"nothing is made from `{block_id}`: changing it makes nothing stale")
        return
    typer.echo(f"changing `{block_id}` would make {len(impacted)} block(s) stale:")
    print_columns(("id", "type", "state", "path"), [(b.id, b.type, b.state, b.path) for b in impacted])
