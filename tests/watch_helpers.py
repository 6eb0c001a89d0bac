"""Helpers for the watcher's tests: wait for a condition with a deadline, never a fixed sleep."""

from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")
DEADLINE_S = 20.0
POLL_S = 0.01


def eventually(condition: Callable[[], T], what: str, timeout: float = DEADLINE_S) -> T:
    """Poll `condition` until it returns something true, or fail saying `what` never happened."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"within {timeout:.0f}s: {what}")
        time.sleep(POLL_S)


def block_text(title: str, body: str = "Body.", type_: str = "character") -> str:
    return f"---\ntype: {type_}\ntitle: {title}\n---\n{body}\n"
