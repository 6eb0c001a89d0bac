"""Progress bars for long work: rich, on stderr, and only when stderr is a terminal.

rich is imported when a bar is first drawn: most commands never draw one, and the import
was a tenth of `cinefile status`'s start (measured)."""

from __future__ import annotations

import contextlib
import sys
from typing import Callable, Iterator

# Below this many files a sync is over before a bar would be worth drawing.
MIN_FILES_FOR_BAR = 200


@contextlib.contextmanager
def sync_progress(label: str = "Indexing") -> Iterator[Callable[[int, int], None] | None]:
    if not sys.stderr.isatty():
        yield None
        return
    progress = task = None

    def update(done: int, total: int) -> None:
        nonlocal progress, task
        if total < MIN_FILES_FOR_BAR:
            return
        if task is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            # Redrawn on each update rather than by rich's refresh thread: a sync forks
            # workers only from a process with no other threads.
            progress = Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                                console=Console(stderr=True), transient=True, auto_refresh=False)
            progress.start()
            task = progress.add_task(label, total=total)
        progress.update(task, completed=done, refresh=True)

    try:
        yield update
    finally:
        if progress is not None:
            progress.stop()


@contextlib.contextmanager
def work_progress(label: str) -> Iterator[Callable[[float, float], None] | None]:
    """A bar for one long job measured in any unit (seconds of video, ...), on a terminal."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn(f"[bold]{label}"), BarColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=None)
        yield lambda done, total: progress.update(task, completed=done, total=total)


@contextlib.contextmanager
def task_progress(label: str, total: int) -> Iterator[Callable[..., None]]:
    """A bar for `total` tasks; the callback `(description, step=1)` advances it by `step` and
    shows the description: the last task done, or with step 0 what a running one is doing."""
    if not sys.stderr.isatty() or total < 1:
        yield lambda description, step=1: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    progress = Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
                        console=Console(stderr=True), transient=True)
    task = progress.add_task("", total=total)
    progress.start()

    def advance(description: str, step: int = 1) -> None:
        progress.update(task, advance=step, description=description)

    try:
        yield advance
    finally:
        progress.stop()
