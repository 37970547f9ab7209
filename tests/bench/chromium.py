"""A server on a fresh SQLite file and Debian's chromium, as the browser benchmarks start them."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.browser.conftest import ARGS, CHROMIUM, TEST_HOOK
from tests.support import Server


@contextmanager
def served_chromium() -> Iterator[tuple[Server, object, Path]]:
    """(server, browser, a temporary folder), all gone afterwards."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        server = Server(Path(tmp) / "bench.sqlite3").start()
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield server, browser, Path(tmp)
        finally:
            browser.close()
            server.stop()


def desktop_page(browser, *init_scripts: str):
    """A fresh context at 1280×720 and its page, with the test hook and `init_scripts` loaded
    before the page's own. The page's CSP allows no eval, which Playwright's wait_for_function
    uses: the context bypasses it."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, bypass_csp=True)
    page = context.new_page()
    for script in (TEST_HOOK, *init_scripts):
        page.add_init_script(script)
    return context, page
