"""`cinefile watch`: the foreground daemon that keeps project.db in line with the files."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
from typing import Annotated, Iterator

import typer
from cinefile.daemon.api import ProjectAPI
from cinefile.daemon.index.sync import SyncReport
from cinefile.daemon.project import Project
from cinefile.daemon.watch.lock import WatchLock
from cinefile.daemon.watch.watcher import Watcher
from cinefile.format.problems import ERROR

from .common import command

# Exit code when the watcher stops on its own (the project folder moved or deleted).
STOPPED_ON_ITS_OWN = 2
_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@command()
def watch(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON event per line on stdout, for tools.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Also list every file in each batch.")] = False,
    polling: Annotated[bool, typer.Option("--polling", help="Poll the folder every second instead of waiting for "
                                                              "kernel events (for network filesystems).")] = False,
    debounce: Annotated[int, typer.Option("--debounce", min=0, max=5000, metavar="MS",
                                          help="Wait this long for a folder to go quiet before syncing.")] = 75,
) -> None:
    """Keep project.db in line with the files while you work, whatever writes them.

    It catches up on what changed while it was not running, then syncs each
    burst of changes as one batch: one line `synced +added ~modified -removed`,
    then the errors in the files that changed. Ctrl-C or SIGTERM lets the sync
    under way finish and exits 0. It exits 2 when another watch runs for the
    project (naming its pid) or when the project folder is moved or deleted.
    Other commands keep working while it runs.

    Example:

        cinefile watch --verbose
    """
    project = Project.find()
    project.config  # fail early on a broken cinefile.toml
    with WatchLock(project) as lock, ProjectAPI(project) as api:
        output = _Output(api, as_json=as_json, verbose=verbose)
        if lock.taken_over_from:
            output.log(f"took over the lock of pid {lock.taken_over_from}, which is no longer running")
        api.subscribe(output.synced)
        watcher = api.watcher(log=output.log, polling=polling, debounce=debounce / 1000)
        reason = _run_until_stopped(watcher, output)
    if watcher.error is not None:
        raise typer.Exit(STOPPED_ON_ITS_OWN)
    output.emit({"event": "stopped", "reason": reason}, f"stopped ({reason})")


class _Signalled(Exception):
    """SIGINT or SIGTERM arrived: stop after the current transaction."""


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[None]:
    """Turn the first SIGINT or SIGTERM into _Signalled in the main thread; ignore the ones
    after it, so that the shutdown itself is never cut short."""

    def handler(signum: int, _frame) -> None:
        for sig in _SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        raise _Signalled(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, handler) for sig in _SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _run_until_stopped(watcher: Watcher, output: "_Output") -> str:
    reason = "the watcher stopped"
    with _stop_on_signals():
        try:
            watcher.start()
            watcher.ready.wait()
            if watcher.error is None:
                output.emit({"event": "watching", "root": str(watcher.project.root), "pid": os.getpid(),
                             "observer": watcher.observer_kind},
                            f"watching {watcher.project.root} ({watcher.observer_kind}); Ctrl-C to stop")
            watcher.wait()
        except _Signalled as signalled:
            reason = str(signalled)
        finally:
            watcher.stop()
    return reason


class _Output:
    """Everything the daemon prints: text lines, or one JSON object per line. Batch lines go
    to stdout; the watcher's messages go to stderr in text mode."""

    def __init__(self, api: ProjectAPI, *, as_json: bool, verbose: bool) -> None:
        self.api = api
        self.as_json = as_json
        self.verbose = verbose
        self._lock = threading.Lock()  # the watcher thread and the main thread both print

    def emit(self, event: dict, text: str, *, err: bool = False) -> None:
        with self._lock:
            if self.as_json:
                typer.echo(json.dumps(event, ensure_ascii=False, default=str))
            else:
                typer.echo(text, err=err)

    def log(self, message: str) -> None:
        self.emit({"event": "log", "message": message}, message, err=True)

    def synced(self, report: SyncReport) -> None:
        touched = [*report.added, *report.modified, *(new for _, new in report.renamed), *report.relinked]
        problems = [p.to_json() for p in self.api.problems(touched)]
        renamed = f" >{len(report.renamed)}" if report.renamed else ""
        lines = [f"synced +{len(report.added)} ~{len(report.modified)} -{len(report.removed)}{renamed}"
                 f" in {report.elapsed * 1000:.0f}ms"]
        if self.verbose:
            for sign, paths in (("+", report.added), ("~", report.modified), ("-", report.removed)):
                lines += [f"  {sign} {path}" for path in paths]
            lines += [f"  > {old} -> {new}" for old, new in report.renamed]
        lines += [p["text"] for p in problems if self.verbose or p["severity"] == ERROR]
        self.emit({"event": "synced", **report.to_json(), "ms": round(report.elapsed * 1000, 1), "problems": problems},
                  "\n".join(lines))
