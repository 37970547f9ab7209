"""What one Step click costs on the wire, in Debian's chromium: requests and bytes as sent
(compressed bodies, request and response) from the click until the page is idle, for XOR and
the digit net in their default views at 1280×720, with each request's path. Issue #15's goal:
XOR ≤ 2 and digits ≤ 3 requests, digits ≤ 30 kB a click. And the digit net in compare mode
(run B beside it, one more request a click)."""

from __future__ import annotations

import statistics
from collections import Counter

from tests.bench.chromium import desktop_page, served_chromium
from tests.browser.clicks import Recorder, repeats

CLICKS = 4
PRESETS = {"xor": "preset=xor", "digits": "preset=digits", "digits compare": "preset=digits&b_optimizer=adam"}


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
    rows = []
    with served_chromium() as (server, browser, _):
        for preset, query in PRESETS.items():
            context, page = desktop_page(browser)
            recorder = Recorder(page, server.url)
            page.goto(f"{server.url}/?{query}")
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
    return rows


if __name__ == "__main__":
    for label, figure in run():
        print(f"{label:<28} {figure}")
