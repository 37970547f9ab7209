"""Playwright driving Debian's chromium against a real `python -m app` on loopback.

Every page is watched: a console error, an uncaught exception or a request to any host
but the server fails the test. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import ROOT, Server

CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "artifacts" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# The page exposes window.__bpx (static/js/testhook.js) only to a page that defines it first.
TEST_HOOK = "window.__bpx = window.__bpx || {};"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def server(tmp_path_factory) -> Iterator[Server]:
    server = Server(tmp_path_factory.mktemp("browser") / "store.sqlite3").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


class Watched:
    """A page plus what went wrong on it."""

    def __init__(self, page, base: str):
        self.page = page
        self.base = base
        self.problems: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))

        def guard(route):
            url = route.request.url
            if url.startswith(base) or url.startswith("data:"):
                route.continue_()
            else:
                self.problems.append(f"request left the server: {url}")
                route.abort()

        page.route("**/*", guard)
        page.add_init_script(TEST_HOOK)

    def open(self, query: str = "", settle: bool = True):
        self.page.goto(f"{self.base}/{query}")
        self.wait_idle()
        return self.page

    def wait_idle(self, timeout: float = 20_000):
        """Until the page has rendered, no request of its own is in flight and no side plot
        is waiting to be drawn."""
        self.page.wait_for_function(
            "window.__bpx && window.__bpx.rendered > 0 && window.__bpx.busy === 0 && !window.__bpx.sidePending",
            timeout=timeout,
        )

    def shot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture
def make_page(browser, server):
    opened: list[tuple] = []

    def make(width: int = 1280, height: int = 720, **options) -> Watched:
        # Playwright's wait_for_function evaluates its predicate as a string, which the page's
        # Content-Security-Policy forbids; tests/browser/test_csp.py runs the page under it.
        options.setdefault("bypass_csp", True)
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        watched = Watched(context.new_page(), server.url)
        opened.append((context, watched))
        return watched

    yield make
    problems = [p for _, w in opened for p in w.problems]
    for context, _ in opened:
        context.close()
    assert not problems, problems


def share_and_save(p, name: str) -> str:
    """In the share dialog: make a short link and save the run as `name`; the link. The dialog stays open."""
    p.locator("#btn-share").click()
    p.locator("#share-make").click()
    p.wait_for_function("document.querySelector('#share-url').value.includes('/s/')")
    short = p.locator("#share-url").input_value()
    p.locator("#save-name").fill(name)
    p.locator("#save-go").click()
    p.wait_for_function(f"document.querySelector('#saved-list').textContent.includes({name!r})")
    return short


@pytest.fixture
def page(make_page) -> Watched:
    return make_page()
