"""Label Studio's labeling page driven as an annotator drives it: real mouse and keyboard.

Chromium is Debian's (``apt-get install chromium``; the Makefile installs it when missing),
launched by Playwright through ``executable_path`` because Playwright's own browser download
cannot work offline. The flags keep it from calling out to the network, which the machine
refuses. Every wait is on a selector or a response, never a fixed sleep: the tests run on a
loaded two-core machine.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

from tests.helpers import TEST_DATA

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 90_000  # generous: Label Studio's front end is heavy for a shared machine
VIEWPORT = {"width": 1400, "height": 900}
GEOMETRY_JS = TEST_DATA / "text_geometry.js"
TEXT = ".lsf-richtext__container"
# Regions on the text: each region's highlight spans carry a class of their own
# (htx-highlight-<region id>); the Regions panel is a virtual list, so it cannot be counted.
REGION_COUNT_JS = """() => new Set(Array.from(document.querySelectorAll('span.htx-highlight'))
    .flatMap(e => Array.from(e.classList).filter(
        c => c.startsWith('htx-highlight-') && c !== 'htx-highlight-last'))).size"""


def chromium() -> str | None:
    """Debian's Chromium, or the one named by ``AKHBAR_CHROMIUM``."""
    return os.environ.get("AKHBAR_CHROMIUM") or shutil.which("chromium")


class LabelingPage:
    """One Label Studio page, logged in, with helpers in the annotator's terms."""

    def __init__(self, page: Any, url: str) -> None:
        self.page = page
        self.url = url
        page.set_default_timeout(TIMEOUT_MS)

    # --- getting there ------------------------------------------------------------------------

    def login(self, username: str, password: str) -> None:
        p = self.page
        p.goto(f"{self.url}/user/login/")
        p.fill("input[name=email]", username)
        p.fill("input[name=password]", password)
        p.click("button[type=submit]")
        # a wrong password stays on the login page; a right one leaves it
        p.wait_for_url(lambda u: "/user/login" not in u)

    def sign_up(self, invite: str, email: str, password: str) -> None:
        """A new teammate fills in the invite link's sign-up form (and is then logged in)."""
        p = self.page
        p.goto(invite)
        p.fill("input[name=email]", email)
        p.fill("input[name=password]", password)
        p.click("button[type=submit]")
        p.wait_for_url(lambda u: "/user/signup" not in u)

    def open_task(self, project_id: int, task_id: int, own: bool = True) -> None:
        """Open a task from the Data Manager: one's own new annotation (Submit), or, with
        ``own=False``, the tabs of the annotations and predictions already there."""
        p = self.page
        p.goto(f"{self.url}/projects/{project_id}/data?task={task_id}")
        p.wait_for_selector(f"{TEXT} .lsf-richtext__line")
        if own:
            p.get_by_role("button", name="Submit").wait_for()
        else:
            p.locator(".lsf-annotation-button_selected").wait_for()
        p.wait_for_load_state("networkidle")
        p.add_script_tag(path=str(GEOMETRY_JS))
        self.root = p.query_selector(TEXT)

    # --- the tabs of a task's annotations and predictions -------------------------------------

    def prediction_tab(self, prediction_id: int) -> Any:
        """The tab of a prediction at the top of the labelling page (tabs carry the id of
        their annotation or prediction; a prediction's has the prediction picture)."""
        pic = self.page.locator(".lsf-annotation-button__userpic_prediction")
        return self.page.locator(
            f".lsf-annotation-button[data-annotation-id='{prediction_id}']"
        ).filter(has=pic)

    def show(self, tab: Any) -> None:
        """Click a tab and wait until its regions are on the text."""
        tab.locator(".lsf-annotation-button__mainSection").click()
        tab.and_(self.page.locator(".lsf-annotation-button_selected")).wait_for()
        self._text_again()

    def duplicate(self, tab: Any) -> None:
        """The tab's ⋮ → "Duplicate Annotation": a new annotation of one's own, started from
        it (Label Studio records the prediction as its parent), shown for editing."""
        tab.locator(".lsf-annotation-button__trigger").click()
        self.page.get_by_text("Duplicate Annotation", exact=True).click()
        self.page.locator(".lsf-annotation-button_selected.lsf-annotation-button_draft").wait_for()
        self.page.get_by_role("button", name="Submit").wait_for()
        self._text_again()

    def _text_again(self) -> None:
        # switching tabs draws the text anew: the old element is gone
        self.page.wait_for_load_state("networkidle")
        self.page.wait_for_selector(f"{TEXT} .lsf-richtext__line")
        self.root = self.page.query_selector(TEXT)

    # --- geometry -----------------------------------------------------------------------------

    def rendered_text(self) -> str:
        return self.page.evaluate("r => akhbarGeometry.text(r)", self.root)

    def rects(self, s: int, e: int) -> list[list[float]]:
        return self.page.evaluate("([r, s, e]) => akhbarGeometry.rects(r, s, e)", [self.root, s, e])

    def point(self, cp: int) -> tuple[float, float]:
        xy = self.page.evaluate("([r, c]) => akhbarGeometry.point(r, c)", [self.root, cp])
        assert xy is not None, f"no pixel puts the caret at code point {cp}"
        return xy[0], xy[1]

    def center(self, s: int, e: int) -> tuple[float, float]:
        left, top, right, bottom = self.rects(s, e)[0]
        return (left + right) / 2, (top + bottom) / 2

    # --- what an annotator does ---------------------------------------------------------------

    def regions(self) -> int:
        return self.page.evaluate(REGION_COUNT_JS)

    def drag(self, s: int, e: int) -> None:
        """Press the mouse where the caret falls at ``s`` and release it where it falls at ``e``."""
        a, b = self.point(s), self.point(e)
        m = self.page.mouse
        m.move(*a)
        m.down()
        m.move(*b, steps=8)
        m.up()

    def clear_selection(self) -> None:
        """Click at the end of the text: a selection left by a drag that made no region goes
        (a drag starting on it would move the selected text instead of selecting)."""
        self.page.mouse.click(*self.point(len(self.rendered_text())))
        self.page.wait_for_function("() => getSelection().isCollapsed")

    def label(self, key: str, s: int, e: int) -> None:
        """Press a label's key, then drag over [s, e): the order Label Studio 1.23 needs."""
        before = self.regions()
        self.page.keyboard.press(key)
        self.drag(s, e)
        self.wait_regions(before + 1)

    def double_click_label(self, key: str, cp: int) -> None:
        before = self.regions()
        self.page.keyboard.press(key)
        self.page.mouse.dblclick(*self.center(cp, cp + 1))
        self.wait_regions(before + 1)

    def wait_regions(self, n: int) -> None:
        self.page.wait_for_function(f"n => ({REGION_COUNT_JS})() === n", arg=n, timeout=30_000)

    def relate(self, trigger: tuple[int, int], entity: tuple[int, int], role: str) -> None:
        """Click the trigger, Alt+R, click the entity; then pick the role in the Relations panel."""
        p = self.page
        items = p.locator(".lsf-relations__item")
        before = items.count() if self._relations_tab_open() else None
        p.mouse.click(*self.center(*trigger))
        p.wait_for_selector("span.htx-highlight.__active, .lsf-outliner-item_selected")
        p.keyboard.press("Alt+r")
        p.mouse.click(*self.center(*entity))
        self.open_relations_tab()
        if before is not None:
            p.wait_for_function(
                "n => document.querySelectorAll('.lsf-relations__item').length > n", arg=before
            )
        item = items.last
        item.wait_for()
        item.scroll_into_view_if_needed()
        box = item.bounding_box()
        p.mouse.move(1, 1)  # the actions appear on entering the item
        p.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=4)
        item.locator("button[aria-label='Show Relation Labels']").click()
        item.locator(".lsf-relation-meta button[data-slot='popover-trigger']").click()
        p.locator(f"[data-testid='select-option-{role}']").click()
        item.locator(f".lsf-relation-meta:has-text('{role}')").wait_for()
        p.keyboard.press("Escape")
        p.wait_for_selector("[data-testid='select-popup']", state="detached")

    def _relations_tab_open(self) -> bool:
        return self.page.locator(".lsf-relations__section-head").count() > 0

    def open_relations_tab(self) -> None:
        if not self._relations_tab_open():
            self.page.locator(".lsf-panel-tabs__tab", has_text="Relations").first.click()
            self.page.wait_for_selector(".lsf-relations__section-head")

    def open_regions_tab(self) -> None:
        self.page.locator(".lsf-panel-tabs__tab", has_text="Regions").first.click()
        self.page.wait_for_selector(".lsf-outliner-item, .lsf-outliner")

    def submit(self) -> None:
        p = self.page
        with p.expect_response(
            lambda r: r.request.method == "POST" and "/annotations" in r.url and r.ok
        ):
            p.get_by_role("button", name="Submit").click()
