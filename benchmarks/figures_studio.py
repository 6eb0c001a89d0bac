"""Studio figures: opening a phase page and saving a block on the server, and the render in
a real browser.

Server side, Streamlit's AppTest runs the studio's entry script as the server does for a
browser session: the sidebar and the page, every widget and message, in this process, with
the project opened and synced once beforehand, as the server keeps it. "Opening a phase
page" is the run that draws the Story page when the user comes to it from another page (a
session's first run costs the same on the server, but AppTest adds 0.1 to 0.2 s of its own
to each new session: it scans every installed package for components). "Saving a block" is
the run after a click on Save, a scene's body changed before: the guarded write, its sync,
the page drawn again. The scene's file is put back as it was afterwards.

In the browser, the real `cinefile studio` and Debian's headless chromium: from navigation
until the Story page's block list is on screen, in a new browser with nothing cached (the
first render), then in one that has loaded the studio before. Beside each, the same for an
empty Streamlit page served with the studio's settings: what Streamlit itself takes.
"""

from __future__ import annotations

import logging
import os
import queue
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from statistics import median

from common import block_files, latencies, timing

SERVER_TARGET_MS = 300.0
FIRST_RENDER_TARGET_S = 2.0
DEADLINE_S = 120.0
PHASE_PAGE, OTHER_PAGE = "views/story.py", "views/design.py"
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


def measure(root: Path, opens: int = 20, saves: int = 20, renders: int = 5) -> list[dict]:
    rows = server_side(root, opens, saves)
    if browser_available():
        (cold, cold_floor), (warm, warm_floor) = renders_in_the_browser(root, renders)
        rows += [
            timing("studio first render in the browser", median(cold), floor="an empty Streamlit page",
                   floor_seconds=median(cold_floor), target=FIRST_RENDER_TARGET_S,
                   note=f"median of {renders} loads, each in a new headless chromium with nothing cached "
                        f"(from {min(cold):.2f} to {max(cold):.2f} s)"),
            timing("studio render in the browser, its files cached", median(warm), floor="an empty Streamlit page",
                   floor_seconds=median(warm_floor),
                   note=f"median of {renders} loads in a chromium that has loaded the studio before "
                        f"(from {min(warm):.2f} to {max(warm):.2f} s)"),
        ]
    else:
        print("skipping the studio's browser figure: no /usr/bin/chromium and chromedriver", file=sys.stderr)
    return rows


@contextmanager
def _studio_environment(root: Path):
    """The studio pointed at `root`, with the recent-projects list in a throwaway config dir."""
    from cinefile.studio.context import ROOT_VARIABLE

    saved = {name: os.environ.get(name) for name in (ROOT_VARIABLE, "XDG_CONFIG_HOME")}
    with tempfile.TemporaryDirectory() as config:
        os.environ.update({ROOT_VARIABLE: str(root), "XDG_CONFIG_HOME": config})
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def server_side(root: Path, opens: int, saves: int) -> list[dict]:
    from streamlit.testing.v1 import AppTest

    from cinefile.studio.context import forget_project

    # AppTest reads its results in this thread, outside a script run: Streamlit warns each time.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    from cinefile.studio.launch import APP_SCRIPT

    scene = next(rel for rel in block_files(root) if "/scenes/" in rel)
    original = (root / scene).read_bytes()

    with _studio_environment(root):
        try:
            # The first run opens and syncs the shared project and imports the pages.
            at = _checked(AppTest.from_file(str(APP_SCRIPT), default_timeout=DEADLINE_S).run())
            opened = []
            for _ in range(opens):
                _checked(at.switch_page(OTHER_PAGE).run())
                started = time.perf_counter()
                at.switch_page(PHASE_PAGE).run()
                opened.append(time.perf_counter() - started)
                _checked(at)
            at.selectbox(key="block_select").set_value(Path(scene).stem).run()
            body = _checked(at).text_area(key="body").value
            saved = []
            for number in range(saves):
                # Typing commits the text area (a run of its own: it shows what the save will make stale).
                _checked(at.text_area(key="body").set_value(f"{body}\nSaved by the benchmark, take {number}.\n").run())
                at.button(key="save").click()
                started = time.perf_counter()
                at.run()
                saved.append(time.perf_counter() - started)
                if not any(str(message.value).startswith("Saved ") for message in _checked(at).success):
                    raise RuntimeError(f"the studio did not save {scene}: {[e.value for e in at.error]}")
        finally:
            forget_project()  # stops the shared project's watcher and closes its index
            (root / scene).write_bytes(original)
    from cinefile.daemon.api import ProjectAPI

    with ProjectAPI.open(root) as api:
        api.sync()  # the index in line with the restored file
    return [
        latencies("studio: open a phase page (server)", opened, target_p95=SERVER_TARGET_MS,
                  note=f"the run that draws the Story page, come from another page, AppTest; {opens} opens"),
        latencies("studio: save a block (server)", saved, target_p95=SERVER_TARGET_MS,
                  note=f"the run after a click on Save, a scene's body changed, AppTest; {saves} saves"),
    ]


def _checked(at):
    if at.exception:
        raise RuntimeError(f"the studio failed: {at.exception[0].value}")
    return at


def browser_available() -> bool:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return False
    return CHROMIUM.exists() and CHROMEDRIVER.exists()


# The floor: what Streamlit itself takes to show a list, served with the studio's settings.
EMPTY_PAGE = 'import streamlit as st\nwith st.container(key="block_tree"):\n    st.markdown("- a block")\n'


def renders_in_the_browser(root: Path, renders: int) -> tuple[tuple[list[float], list[float]], ...]:
    """(studio, empty page) load times with nothing cached, then with the browser's cache warm;
    the two servers are loaded in turn, so that both see the same machine."""
    from cinefile.studio.launch import Settings, streamlit_config

    with tempfile.TemporaryDirectory() as folder:
        empty_page = Path(folder) / "empty_page.py"
        empty_page.write_text(EMPTY_PAGE)
        settings = Settings(root, port=free_port())
        flags = [f"--{name}={value}" for name, value in streamlit_config(settings).items()]
        with _studio_environment(root), \
                _server([sys.executable, "-m", "cinefile", "studio", str(root), "--no-browser"], r"at (http://\S+)") as url, \
                _server([sys.executable, "-m", "streamlit", "run", str(empty_page), *flags], r"(http://\S+)",
                        announce=False) as empty_url:
            cold = [(_render(url), _render(empty_url)) for _ in range(renders + 1)][1:]  # the first opens the project
            with tempfile.TemporaryDirectory() as profile:
                driver = chromium(Path(profile))
                try:
                    warm = [(_render(url, driver), _render(empty_url, driver)) for _ in range(renders + 1)][1:]
                finally:
                    driver.quit()
    return tuple(([studio for studio, _ in loads], [empty for _, empty in loads]) for loads in (cold, warm))


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _server(command: list[str], url_pattern: str, announce: bool = True):
    """A server in a child process; yields its URL, from the line it printed (or, with
    `announce` False, from Streamlit's own welcome, which the studio's settings hide)."""
    if not announce:
        command = [*command, "--logger.hideWelcomeMessage=false"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env=os.environ | {"CI": "1"})
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    try:
        end = time.monotonic() + DEADLINE_S
        while not (found := re.search(url_pattern, lines.get(timeout=max(end - time.monotonic(), 0.001)))):
            pass
        yield found.group(1)
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=DEADLINE_S)


def chromium(profile: Path, *flags: str):
    """Headless chromium through Debian's chromedriver (the browser test uses it too): both
    paths are given, so Selenium never looks for, or downloads, a browser of its own."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", f"--user-data-dir={profile}", *flags):
        options.add_argument(flag)
    options.binary_location = str(CHROMIUM)
    return webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))


def _render(url: str, driver=None) -> float:
    """Seconds from navigation to the first block of the Story page's list on screen: in
    `driver` after a blank page, or in a new browser with an empty profile (nothing cached)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import WebDriverWait

    if driver is None:
        with tempfile.TemporaryDirectory() as profile:
            fresh = chromium(Path(profile))
            try:
                return _render(url, fresh)
            finally:
                fresh.quit()
    driver.get("about:blank")
    started = time.perf_counter()
    driver.get(url)
    WebDriverWait(driver, DEADLINE_S).until(seen.visibility_of_element_located((By.CSS_SELECTOR, ".st-key-block_tree li")))
    return time.perf_counter() - started
