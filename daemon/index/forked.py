"""Work in forked child processes, for the parts of a big sync that are pure Python.

A fork is cheap and the child starts with everything the parent has read, but it is only
safe on Linux from a process with no other threads (a fork copies locks other threads may
hold), so `cores_to_fork` is 1 anywhere else and callers do the work themselves. A child
never prints and never touches the index; whatever it does not send, the parent does.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from multiprocessing.connection import Connection
from typing import Any, Callable, Sequence

_CONTEXT = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
_LOST = object()


def fork_is_safe() -> bool:
    """On Linux, from a process with no other threads."""
    return _CONTEXT is not None and threading.active_count() == 1


def cores_to_fork() -> int:
    """How many children may run at once: the cores this process may use, or 1 when
    forking is not safe here."""
    if not fork_is_safe():
        return 1
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class Child:
    """`work(send, *args)` running in a forked child; what it sends arrives at `receive`."""

    def __init__(self, work: Callable[..., None], *args: Any, siblings: Sequence["Child"] = (),
                 parent_ends: Sequence[Connection] = (), daemon: bool = True) -> None:
        self.connection, sender = _CONTEXT.Pipe(duplex=False)
        # The child closes the pipe ends it inherits but the parent uses (its own read end,
        # its older siblings', `parent_ends`), or a dead parent would leave it blocked
        # forever on a pipe that it keeps open itself.
        inherited = [self.connection, *(sibling.connection for sibling in siblings), *parent_ends]
        # multiprocessing lets no daemon process have children: a child whose work forks
        # children of its own is not one, and is waited for when this process exits.
        self.process = _CONTEXT.Process(target=_run, args=(work, sender, inherited, args), daemon=daemon)
        try:
            self.process.start()
        except BaseException:
            self.connection.close()
            raise
        finally:
            sender.close()

    def receive(self) -> Any:
        """The next thing the child sent; `Child.LOST` once it has finished or died."""
        try:
            return self.connection.recv()
        except (EOFError, OSError):
            return _LOST

    def close(self) -> None:
        self.connection.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()

    LOST = _LOST


def run_in_child(function: Callable[..., Any], *args: Any) -> Any:
    """function(*args), computed in a child while the caller goes on: call the returned
    function for the result (computed in the caller if the child failed)."""
    try:
        child = Child(_send_result, function, *args)
    except OSError:  # no memory or no process left to fork
        return lambda: function(*args)

    def result() -> Any:
        found = child.receive()
        child.close()
        return function(*args) if found is _LOST else found

    return result


def _send_result(send: Callable[[Any], None], function: Callable[..., Any], *args: Any) -> None:
    send(function(*args))


def _run(work: Callable[..., None], sender: Connection, inherited: list[Connection], args: tuple) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # Whatever goes wrong, a child never prints a traceback: the parent does what it did not send.
    with contextlib.suppress(BaseException):
        for connection in inherited:
            connection.close()
        work(sender.send, *args)
    with contextlib.suppress(OSError):
        sender.close()
    os._exit(0)
