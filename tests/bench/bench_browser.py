"""Browser figures (Performance API) in Debian's chromium: first meaningful paint, the long
main-thread tasks of a page load (Long Tasks API: while one runs, the page answers no input),
and frame rate and draw time while playing XOR and the digit net from the live stream."""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from tests.browser.conftest import ARGS, CHROMIUM, TEST_HOOK
from tests.support import Server

SAMPLE_FRAMES = """() => new Promise((done) => {
  const gaps = []; let last = performance.now(); const end = last + 3000;
  const tick = (now) => { gaps.push(now - last); last = now; now < end ? requestAnimationFrame(tick) : done(gaps); };
  requestAnimationFrame(tick);
})"""

# Registered before the page's own scripts: every main-thread task over 50 ms from navigation on.
LONG_TASKS = """window.__longTasks = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) window.__longTasks.push([e.startTime, e.duration]);
}).observe({ type: "longtask", buffered: true });"""
BLOCKING_MS = 200  # issue: no task over this on a page load


def load_figures(page) -> str:
    """Long tasks from navigation until plotly is in and the page is idle."""
    page.wait_for_function(
        "window.Plotly && window.__bpx.rendered > 0 && window.__bpx.busy === 0", timeout=60_000
    )
    page.wait_for_timeout(1000)  # the first plots' drawing
    tasks = page.evaluate("window.__longTasks")
    longest = max((d for _, d in tasks), default=0.0)
    over = sum(d > BLOCKING_MS for _, d in tasks)
    return f"longest task {longest:.0f} ms, {over} over {BLOCKING_MS} ms ({len(tasks)} over 50 ms)"


def run() -> list[tuple[str, str]]:
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        server = Server(Path(tmp) / "bench.sqlite3").start()
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for preset, speed in (("xor", 1), ("xor", 100), ("digits", 1), ("digits", 100)):
                # the page's CSP allows no eval, which Playwright's wait_for_function uses
                context = browser.new_context(viewport={"width": 1280, "height": 720}, bypass_csp=True)
                page = context.new_page()
                page.add_init_script(TEST_HOOK)
                page.add_init_script(LONG_TASKS)
                page.goto(f"{server.url}/?preset={preset}&speed={speed}")
                if speed == 1:
                    rows.append((f"load {preset}", load_figures(page)))
                page.wait_for_function("window.__bpx && window.__bpx.rendered > 0 && window.__bpx.busy === 0")
                paint = page.evaluate("window.__bpx.firstRender")
                page.wait_for_timeout(500)
                page.keyboard.press(" ")
                page.wait_for_function("window.__bpx.step > 5", timeout=20_000)
                page.evaluate("window.__bpx.frameTimes.length = 0")
                start_step = page.evaluate("window.__bpx.step")
                gaps = page.evaluate(SAMPLE_FRAMES)[1:]
                draws = page.evaluate("window.__bpx.frameTimes.slice()")
                steps = page.evaluate("window.__bpx.step") - start_step
                page.keyboard.press(" ")
                fps = 1000 / statistics.mean(gaps)
                rows.append(
                    (
                        f"page {preset} ×{speed}",
                        f"first paint {paint:.0f} ms; playing {fps:.0f} fps (worst frame {max(gaps):.0f} ms), "
                        f"draw p50 {statistics.median(draws):.1f} ms / max {max(draws):.1f} ms, "
                        f"{len(draws) / 3:.0f} states drawn/s, {steps / 3:.0f} steps/s",
                    )
                )
                context.close()
        finally:
            browser.close()
            server.stop()
    return rows
