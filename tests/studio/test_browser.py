"""The studio end to end in a real browser: Debian's chromium driven by Selenium against the
real `cinefile studio` on a copy of the sample film. Edit a scene and save it; generate a
still for a shot (mock mode: no keys), approve it, and see it in the storyboard.

Elements are found by the class Streamlit gives a keyed widget's container, `st-key-<key>`,
and waited for (WebDriverWait); nothing sleeps. With CINEFILE_STUDIO_SCREENSHOTS=1 the test
also saves a screenshot of every page into docs/ (docs/studio.md shows them).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest

from .test_command import running_studio

sys.path.insert(0, str(Path(__file__).parent.parent.parent / "benchmarks"))
from figures_studio import browser_available, chromium, free_port  # noqa: E402  (the benchmark drives the same browser)

pytestmark = pytest.mark.skipif(not browser_available(),
                                reason="needs Debian's chromium and chromium-driver (see .ci/debian-packages) and selenium")

WAIT_SECONDS = 60  # a deadline for each thing to appear, not a pause
DOCS = Path(__file__).parent.parent.parent / "docs"
SCREENSHOTS = os.environ.get("CINEFILE_STUDIO_SCREENSHOTS") == "1"
NEW_LINE = "The ramp clangs shut behind the last car; Mara signals the bridge."


class Page:
    """The driver, with waits for keyed widgets."""

    def __init__(self, driver) -> None:
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver = driver
        # Streamlit redraws elements on every rerun: a reference gone stale means "look again".
        self.wait = WebDriverWait(driver, WAIT_SECONDS, ignored_exceptions=(StaleElementReferenceException,))

    def keyed(self, key: str, inner: str = "", clickable: bool = False):
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as seen

        found = (By.CSS_SELECTOR, f".st-key-{key} {inner}".strip())
        return self.wait.until(seen.element_to_be_clickable(found) if clickable else seen.visibility_of_element_located(found))

    def click(self, key: str) -> None:
        """Click a keyed button once it is there and enabled (redrawn meanwhile: again)."""
        from selenium.common.exceptions import ElementClickInterceptedException, StaleElementReferenceException

        def clicked(driver) -> bool:
            try:
                self.keyed(key, "button", clickable=True).click()
            except (StaleElementReferenceException, ElementClickInterceptedException):
                return False
            return True

        self.wait.until(clicked)

    def click_until(self, key: str, done) -> None:
        """Click a keyed button until `done(driver)`: a click that lands while Streamlit is
        redrawing the page can be dropped (seen once, on a loaded machine), and a person
        would click again. Stops clicking once the button is gone."""
        from selenium.common.exceptions import TimeoutException
        from selenium.webdriver.support.ui import WebDriverWait

        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            self.click(key)
            try:
                WebDriverWait(self.driver, 10).until(done)
                return
            except TimeoutException:
                if time.monotonic() > deadline:
                    raise

    def open_page(self, title: str) -> None:
        """Follow the sidebar's link, as a person would (the session stays the same)."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as seen

        link = (By.XPATH, f"//*[@data-testid='stSidebarNav']//a[.//span[normalize-space()='{title}']]")
        self.wait.until(seen.element_to_be_clickable(link)).click()
        self.wait.until(lambda d: d.find_element(By.TAG_NAME, "h1").text.startswith(title.split()[0]))

    def choose(self, key: str, typed: str) -> None:
        """Pick an option of a selectbox by typing part of its label."""
        from selenium.webdriver.common.keys import Keys

        box = self.keyed(key, "input", clickable=True)
        box.click()
        box.send_keys(typed, Keys.ENTER)

    def text_of(self, key: str) -> str:
        """The text of a keyed element as drawn now (found afresh: use inside a wait)."""
        return self.driver.find_element("css selector", f".st-key-{key}").text

    def screenshot(self, name: str) -> None:
        if SCREENSHOTS:
            self.wait_until_idle()
            # The page as a person first sees it: at the top, no focus ring, no toast left from before.
            self.driver.execute_script("document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; });"
                                       "document.activeElement && document.activeElement.blur();"
                                       "document.querySelectorAll('[data-testid=stToast]').forEach(e => e.remove());")
            self.driver.save_screenshot(str(DOCS / f"studio-{name}.png"))

    def wait_until_idle(self) -> None:
        """Until Streamlit says the script is not running, so a screenshot is of a drawn page."""
        from selenium.webdriver.common.by import By

        self.wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, "[data-testid='stStatusWidget']"))


@pytest.fixture
def page(tmp_path):
    driver = chromium(tmp_path / "profile", "--window-size=1400,1000")
    try:
        yield Page(driver)
    finally:
        driver.quit()


def test_edit_a_scene_then_generate_approve_and_see_a_still(film: Path, page: Page):
    scene_file, shot_file = film / "story" / "scene-1.md", film / "shooting" / "shot-1a.md"
    with running_studio(film, "--port", str(free_port())) as studio:
        page.driver.get(studio.url)
        page.wait.until(lambda d: "The Ramp" in page.text_of("block_tree"))

        # Story: pick scene-1, add a line to its body, save; the file on disk has it.
        page.choose("block_select", "scene-1")
        body = page.keyed("body", "textarea")
        assert "Rain sheets across the car deck" in body.get_attribute("value")
        from selenium.webdriver.common.keys import Keys

        body.send_keys(Keys.CONTROL, Keys.END)
        body.send_keys("\n" + NEW_LINE, Keys.CONTROL, Keys.ENTER)  # Ctrl+Enter: the text area commits
        page.click("save")
        page.wait.until(lambda d: NEW_LINE in scene_file.read_text(encoding="utf-8"))
        page.wait.until(lambda d: "Saved story/scene-1.md" in d.page_source)
        page.screenshot("story")

        for title, name in (("Design", "design"), ("Shooting", "shooting")):
            page.open_page(title)
            page.keyed("block_tree")
            page.screenshot(name)

        # Generate: a still for shot-1a in mock mode, approved, shown in the storyboard.
        page.open_page("Generate")
        page.click("regenerate_shot-1a")
        page.click_until("approve_shot-1a",
                         lambda d: "approved" in (text := page.text_of("card_shot-1a")) and "not approved" not in text)
        page.wait.until(lambda d: d.execute_script(  # the still itself, loaded and drawn
            "const img = document.querySelector('.st-key-card_shot-1a img'); return img && img.complete && img.naturalWidth"))
        assert "approved: true" in shot_file.read_text(encoding="utf-8")
        page.screenshot("generate")

        page.open_page("History")
        page.choose("history_block", "scene-1")  # two versions now: the sample's and the edit
        page.wait.until(lambda d: NEW_LINE in d.page_source)  # in the diff
        page.screenshot("history")
        for title, name in (("Export and import", "exports"), ("Dependencies", "graph")):
            page.open_page(title)
            page.screenshot(name)


@pytest.mark.skipif(not SCREENSHOTS, reason="only takes the start page's screenshot (CINEFILE_STUDIO_SCREENSHOTS=1)")
def test_screenshot_of_the_start_page(page: Page):
    films = Path(tempfile.mkdtemp(prefix="films-"))  # a short path: the page shows it
    try:
        (films / "new-film").mkdir()
        with running_studio(films / "new-film") as studio:
            page.driver.get(studio.url)
            page.wait.until(lambda d: "Create the sample film" in page.text_of("create_sample"))
            page.screenshot("start")
    finally:
        shutil.rmtree(films)
