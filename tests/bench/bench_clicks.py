"""What one Step click costs on the wire, in Debian's chromium: requests and bytes as sent
(compressed bodies, request and response) from the click until the page is idle, for XOR and
the digit net in their default views at 1280×720, with each request's path. Issue #15's goal:
XOR ≤ 2 and digits ≤ 3 requests, digits ≤ 30 kB a click."""

from __future__ import annotations

import statistics
import tempfile
from collections import Counter
from pathlib import Path

from tests.browser.clicks import Recorder, repeats
from tests.browser.conftest import ARGS, CHROMIUM, TEST_HOOK
from tests.support import Server

CLICKS = 4
PRESETS = ("xor", "digits")


def jump_back_and_reset(page, recorder: Recorder) -> str:
    """Requests and bytes of a jump back to step 1 and of Reset."""
    out = []
    for name, act in (
        ("jump back", lambda: (page.fill("#step-input", "1"), page.press("#step-input", "Enter"))),
        ("reset", lambda: page.click("#btn-reset")),
    ):
        recorder.done.clear()
        act()
        page.wait_for_timeout(200)
        recorder.settle()
        out.append(
            f"{name} {len(recorder.done)} requests, {sum(r.sent for r in recorder.done) / 1000:.1f} kB"
        )
    return "; ".join(out)


def run() -> list[tuple[str, str]]:
    from playwright.sync_api import sync_playwright

    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        server = Server(Path(tmp) / "bench.sqlite3").start()
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for preset in PRESETS:
                context = browser.new_context(viewport={"width": 1280, "height": 720}, bypass_csp=True)
                page = context.new_page()
                page.add_init_script(TEST_HOOK)
                recorder = Recorder(page, server.url)
                page.goto(f"{server.url}/?preset={preset}")
                page.wait_for_function("window.Plotly", timeout=60_000)  # the plots draw after it
                clicks = recorder.step_clicks(CLICKS)
                counts = [len(c) for c in clicks]
                sent = [sum(r.sent for r in c) for c in clicks]
                twice = sum(len(repeats(c)) for c in clicks)
                rows.append(
                    (
                        f"step click {preset}",
                        f"{statistics.mean(counts):.1f} requests (max {max(counts)}), "
                        f"{statistics.mean(sent) / 1000:.1f} kB sent (max {max(sent) / 1000:.1f}), "
                        f"{twice} repeated, over {CLICKS} clicks",
                    )
                )
                per_path: Counter[str] = Counter()
                bytes_of: Counter[str] = Counter()
                for click in clicks:
                    for r in click:
                        name = f"{r.method} {r.path}"
                        per_path[name] += 1
                        bytes_of[name] += r.sent
                rows.append((f"  {preset}", f"{jump_back_and_reset(page, recorder)}"))
                for name, count in per_path.most_common():
                    rows.append(
                        (
                            f"  {preset}",
                            f"{name}: {count / CLICKS:.1f}/click, {bytes_of[name] / count / 1000:.1f} kB",
                        )
                    )
                context.close()
        finally:
            browser.close()
            server.stop()
    return rows


if __name__ == "__main__":
    for label, figure in run():
        print(f"{label:<28} {figure}")
