"""What every command shares: the typer app, error handling, and opening the project."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Callable, Iterator

import typer
from cinefile.daemon.api import ProjectAPI
from cinefile.daemon.errors import UserError

from .progress import sync_progress

app = typer.Typer(
    name="cinefile",
    help="Make a film with AI help, in plain Markdown files, under git.",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

INTERNAL_ERROR = 3


def fail(message: str, code: int = 2) -> None:
    typer.echo(f"cinefile: {message}", err=True)
    raise typer.Exit(code)


def command(name: str | None = None) -> Callable:
    """Register a command whose errors come out as one line, never a traceback."""

    def register(func: Callable) -> Callable:
        @functools.wraps(func)
        def run(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except UserError as error:
                fail(str(error), error.exit_code)
            except KeyboardInterrupt:
                fail("interrupted; nothing was left half-written", 130)
            except BrokenPipeError:
                # The reader went away (`cinefile ... | head`): that is not an error of ours.
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                raise typer.Exit(0) from None
            except (typer.Exit, typer.Abort, SystemExit):
                raise
            except Exception as error:  # a bug: still one line, the trace only on request
                if os.environ.get("CINEFILE_DEBUG"):
                    traceback.print_exc()
                fail(f"internal error: {type(error).__name__}: {error} (set CINEFILE_DEBUG=1 to see where; please report it)",
                     INTERNAL_ERROR)

        return app.command(name)(run)

    return register


@contextlib.contextmanager
def open_api(start: Path | None = None, *, sync_first: bool = True) -> Iterator[ProjectAPI]:
    """The project API on the project around the current folder, synced first (with a
    progress bar on a terminal) unless told not to."""
    with ProjectAPI.open(start) as api:
        if sync_first:
            with sync_progress() as progress:
                api.sync(progress=progress)
        yield api


def print_json(data) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def print_columns(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    """Rows in columns padded to their widest cell, one line each, so that grep and cut work
    on them. Not a rich Table: laying out 10,000 rows took rich 3 s (measured)."""
    widths = [max([len(header), *(len(row[i]) for row in rows)]) for i, header in enumerate(headers)]
    lines = [headers, *rows]
    typer.echo("\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in lines))

