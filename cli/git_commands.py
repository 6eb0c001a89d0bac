"""Commands for a project under git: the merge driver git runs, and setting it up."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from cinefile.daemon.git import driver
from cinefile.daemon.git.setup import set_up
from cinefile.daemon.project import Project

from .common import command, print_json


@command("git-setup")
def git_setup(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for tools.")] = False,
) -> None:
    """Have git merge block files with cinefile: field by field, so that two people who
    changed different fields of one block get no conflict.

    Writes `*.md merge=cinefile` into .gitattributes (commit it) and the
    driver into this repository's config. Run it once in every clone;
    `cinefile init` does it for a new project.

    Example:

        git clone https://example.org/night-ferry.git
        cd night-ferry && cinefile git-setup
    """
    done = set_up(Project.find().root)
    if as_json:
        print_json(done.to_json())
        return
    typer.echo(done.message)


@command("merge-driver")
def merge_driver(
    base: Annotated[Path, typer.Argument(metavar="BASE", help="The common ancestor's version (git's %O).")],
    ours: Annotated[Path, typer.Argument(metavar="OURS", help="Our version, where the merge is written (%A).")],
    theirs: Annotated[Path, typer.Argument(metavar="THEIRS", help="Their version (%B).")],
    marker_size: Annotated[Optional[str], typer.Argument(metavar="MARKER_SIZE", help="Conflict marker length (%L).")] = None,
    name: Annotated[Optional[str], typer.Argument(metavar="PATH", help="The file's path, for messages (%P).")] = None,
) -> None:
    """Merge three versions of a block file, as git's merge driver: the frontmatter
    key by key, the body line by line.

    Writes the merge into OURS; exits 0 when clean, 1 with conflict markers
    left where both sides changed the same thing. `cinefile git-setup` sets
    it up (git then runs it, with `python -m cinefile.daemon.git.driver`).

    Example:

        cinefile merge-driver base.md ours.md theirs.md 7 story/scene-1.md
    """
    raise typer.Exit(driver.run(str(base), str(ours), str(theirs), marker_size, name))
