"""Debian's Chromium driven by Playwright against a live server of the app.

Never a downloaded browser: Playwright launches Debian's Chromium. Debian's old headless shell
(`chromium-headless-shell`, the same Chromium built for automation, without the desktop browser
around it) is used when it is installed: it takes about half the CPU a page of the full browser
in headless mode (/usr/bin/chromium, used otherwise; CHROMIUM_PATH names another). Outside CI a
machine without Chromium skips these tests with the reason shown; under CI=true they fail instead.
"""

import functools
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import IN_CI

HEADLESS_SHELL = "/usr/bin/chromium-headless-shell"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or (
    HEADLESS_SHELL if Path(HEADLESS_SHELL).exists() else "/usr/bin/chromium"
)
ARTIFACTS = Path(
    os.environ.get("BROWSER_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts" / "browser")
)
# Playwright adds --headless itself.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# Full-page screenshots of the pages the journeys reach, for a person to look at: saved only when
# BROWSER_SHOTS names a folder (`BROWSER_SHOTS=shots make test`), as each costs a third of a second
# of CPU. A failing test's page is saved to ARTIFACTS whatever this says.
SHOTS = os.environ.get("BROWSER_SHOTS")


def shot(page, name, *, javascript=True):
    """Save this page as BROWSER_SHOTS/<name>-<width>[-nojs].png, when BROWSER_SHOTS is set."""
    if not SHOTS:
        return
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    suffix = "" if javascript else "-nojs"
    page.screenshot(
        path=str(Path(SHOTS) / f"{name}-{page.viewport_size['width']}{suffix}.png"), full_page=True
    )


# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# (reading the mail outbox, setting up data) are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        message = f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium-headless-shell)"
        if IN_CI:
            pytest.fail(f"CI must run the browser tests but it {message}", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session", autouse=True)
def _each_document_typeset_once():
    """Most journeys start from the same demo compact, and WeasyPrint would lay out the same HTML
    again for each (about a second a document). `typeset` is a function of its arguments alone, so
    a document already typeset in this session is handed back; any change to the HTML (a new
    signatory, a new version) is typeset afresh. The PDF's own tests (tests/compact) typeset
    every time."""
    from compact import pdf

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf, "typeset", functools.cache(pdf.typeset))
        yield


@pytest.fixture
def browser_settings(settings):
    settings.PDF_COALESCE_SECONDS = 0
    settings.STAFF_REQUIRE_MFA = False
    return settings


# A page's shape: its elements, each with its attributes' names, the values of those that decide
# what assistive technology is told (id, class, role, type, for, aria-*; digits in them stand for
# any number, as ids carry database keys), and whether it holds text of its own; a run of siblings
# of the same shape counts once. Two visits that differ only in their words (a count, a name, a
# date) or in how many rows a list has are the same shape, and axe-core's WCAG rules judge them
# alike.
PAGE_SHAPE = """async () => {
  const kept = new Set(["id", "class", "role", "type", "for", "name", "lang", "open", "hidden"]);
  const shape = (element) => {
    let line = element.tagName;
    for (const attribute of element.attributes) {
      const valued = kept.has(attribute.name) || attribute.name.startsWith("aria-");
      line += " " + attribute.name + (valued ? "=" + attribute.value.replace(/[0-9]+/g, "#") : "");
    }
    if ([...element.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) line += " +text";
    const children = [];
    for (const child of element.children) {
      const childShape = shape(child);
      if (childShape !== children[children.length - 1]) children.push(childShape);
    }
    return line + "(" + children.join(",") + ")";
  };
  const text = window.innerWidth + " " + shape(document.documentElement);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}"""


class ShapesChecked:
    """The page shapes (PAGE_SHAPE) axe-core has passed in this test run, shared by every xdist
    worker: a file per shape in a folder of the run's own (named by xdist's testrun_uid)."""

    def __init__(self, folder):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def __contains__(self, shape):
        return (self.folder / shape).exists()

    def add(self, shape):
        (self.folder / shape).touch()


class Visitor:
    """One person's browser: every page it reaches is checked for accessibility.

    axe-core takes about a quarter of a second of CPU a page, and journeys come back to the same
    pages again and again (the round page after each vote; the sign-in page in every journey): a
    page whose shape (PAGE_SHAPE) has already passed at this width in this test run is not checked
    again. A new element, a new error summary or banner, or a new width is a new shape, and is
    checked.
    """

    def __init__(self, page, base_url, javascript, shapes_checked):
        self.page = page
        self.base_url = base_url
        self.javascript = javascript
        self.titles = {}
        self.shapes_checked = shapes_checked

    def go(self, path):
        self.page.goto(self.base_url + path)
        self.check()

    def click(self, locator):
        locator.click()
        self.page.wait_for_load_state()
        self.check()

    def press_enter(self, locator):
        """Keyboard only: focus the control and press Enter, as a keyboard user would."""
        locator.focus()
        with self.page.expect_navigation():
            locator.press("Enter")
        self.check()

    def check(self):
        page = self.page
        title = page.title()
        assert title and "Leadership Compact" in title, f"page at {page.url} has no useful title"
        path = re.sub(r"[?#].*", "", page.url)
        self.titles.setdefault(title, set()).add(path)
        assert page.locator("a.nhsuk-skip-link").count() == 1, "no skip link"
        # axe-core needs script to run; the no-JavaScript variant visits the same server-rendered
        # pages, which the other two variants check.
        if self.javascript:
            shape = page.evaluate(PAGE_SHAPE)
            if shape in self.shapes_checked:
                return
            from axe_playwright_python.sync_playwright import Axe

            # Violations only: the passes' details would be built, sent and thrown away.
            options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
            results = Axe().run(page, options=options)
            assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
            self.shapes_checked.add(shape)

    def assert_unique_titles(self):
        shared = {title: paths for title, paths in self.titles.items() if len(paths) > 1}
        assert not shared, f"titles used by more than one page: {shared}"


VARIANTS = {
    "desktop": {"javascript": True, "viewport": {"width": 1280, "height": 900}},
    "no-javascript": {"javascript": False, "viewport": {"width": 1280, "height": 900}},
    "phone": {"javascript": True, "viewport": {"width": 375, "height": 812}},
}


@pytest.fixture(scope="session")
def shapes_checked(tmp_path_factory, testrun_uid):
    """The page shapes axe-core has passed in this test run (see Visitor)."""
    return ShapesChecked(tmp_path_factory.getbasetemp().parent / f"axe-passed-{testrun_uid}")


@pytest.fixture(params=list(VARIANTS))
def visitor(request, chromium, live_server, browser_settings, shapes_checked):
    variant = VARIANTS[request.param]
    # The site's own address, as in production: share links, snippets and og:url are built from it.
    browser_settings.SITE_URL = live_server.url
    context = chromium.new_context(
        java_script_enabled=variant["javascript"], viewport=variant["viewport"], accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    visitor = Visitor(page, live_server.url, variant["javascript"], shapes_checked)
    yield visitor
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        (ARTIFACTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
