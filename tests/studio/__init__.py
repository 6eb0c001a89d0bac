"""Tests of the studio (cinefile.studio), through streamlit's AppTest on real projects.

Helpers shared by the studio's tests; the fixtures are in conftest.py."""

from __future__ import annotations

import threading
from pathlib import Path

from streamlit.testing.v1 import AppTest

import cinefile.studio

APP = Path(cinefile.studio.__file__).parent / "app.py"
TIMEOUT = 20  # seconds for one run: a first run imports and indexes; later ones take a fraction


def select_block(at: AppTest, block_id: str) -> AppTest:
    """Pick a block in the phase page's picker, as a person would."""
    at.selectbox(key="block_select").set_value(block_id).run()
    assert not at.exception, at.exception
    return at


def page_text(at: AppTest) -> str:
    """Every Markdown, caption and alert on the page, joined: for looking for a line."""
    parts = [e.value for kind in (at.markdown, at.caption, at.info, at.warning, at.error, at.success) for e in kind]
    return "\n".join(str(p) for p in parts)


def wait_for_sync(api, action, timeout: float = 10.0) -> None:
    """Run `action` (a change made outside the studio) and wait until a sync has seen it:
    an event from the API's subscribers, never a fixed sleep."""
    seen = threading.Event()
    unsubscribe = api.subscribe(lambda report: seen.set() if report.changed else None)
    try:
        action()
        assert seen.wait(timeout), "the watcher never synced the change"
    finally:
        unsubscribe()


def write_like_an_editor(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
