"""Browser figures (Performance API) in Debian's chromium: first meaningful paint, the long
main-thread tasks of a page load (Long Tasks API: while one runs, the page answers no input),
when the plots are drawn, the bytes a first load moves (as sent: compressed, headers included),
frame rate and draw time while playing XOR and the digit net from the live stream, and the
bytes of each played frame (the digit net in the gradients view)."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from tests.bench.chromium import desktop_page, served_chromium

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
# When every plot first shows (plotly's svg in each of the page's four plots), in ms from navigation.
PLOTS_VISIBLE = """window.__plotsVisible = null;
(function poll() {
  const ids = ["plot-loss", "plot-grad", "plot-boundary", "plot-preview"];
  if (ids.every((id) => document.getElementById(id)?.querySelector(".main-svg"))) {
    window.__plotsVisible = performance.now();
  } else {
    setTimeout(poll, 10);
  }
})();"""


class Wire:
    """What the page receives, from Chromium's network events (CDP): bytes as they came over
    the wire (encodedDataLength: compressed, with headers) and each Server-Sent Event's size."""

    def __init__(self, context, page):
        self.sent = 0
        self.events: list[tuple[int, int]] = []
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.eventSourceMessageReceived", self._event)

    def _finished(self, event) -> None:
        self.sent += event["encodedDataLength"]

    def _event(self, event) -> None:
        """A frame's bytes, and of them the batch's inputs: the rows sent for the first time
        (`rows_x`), or the row the network shows or the batch mean (`x`, app/sampled.py)."""
        data = event["data"]
        batch = json.loads(data).get("batch", {})
        inputs = len(json.dumps(batch.get("rows_x", batch.get("x", ""))))
        self.events.append((len(data.encode()), inputs))


def main_thread_cpu(trace: Path, until_ms: float) -> tuple[float, float]:
    """From a trace of the page load: the longest main-thread task's time on the CPU, and the
    main thread's CPU time from navigation until `until_ms` (ms; the trace's thread clock). On a
    machine busy with other work, wall times also count the waits for a core; CPU times are what
    the page itself costs, close to its wall times on a quiet machine."""
    events = json.loads(trace.read_text())["traceEvents"]
    main = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("name") == "thread_name" and e["args"]["name"] == "CrRendererMain"
    }
    tasks = [e for e in events if e.get("name") == "RunTask" and "tdur" in e and (e["pid"], e["tid"]) in main]
    starts = [e["ts"] for e in events if e.get("name") == "navigationStart"]
    start = min(starts) if starts else min((e["ts"] for e in tasks), default=0)
    longest = max((e["tdur"] for e in tasks), default=0) / 1000
    until = sum(e["tdur"] for e in tasks if e["ts"] - start < until_ms * 1000) / 1000
    return longest, until


def load_figures(page, wire: Wire, trace: Path) -> str:
    """Long tasks from navigation until plotly is in, the plots are drawn and the page is idle."""
    page.wait_for_function(
        "window.Plotly && window.__plotsVisible && window.__bpx.rendered > 0 && window.__bpx.busy === 0",
        timeout=60_000,
    )
    page.wait_for_timeout(1000)  # the first plots' drawing
    page.context.browser.stop_tracing()
    tasks = page.evaluate("window.__longTasks")
    longest = max((d for _, d in tasks), default=0.0)
    over = sum(d > BLOCKING_MS for _, d in tasks)
    visible = page.evaluate("window.__plotsVisible")
    longest_cpu, cpu_until_visible = main_thread_cpu(trace, visible)
    return (
        f"longest task {longest:.0f} ms, {over} over {BLOCKING_MS} ms ({len(tasks)} over 50 ms), "
        f"longest on the CPU {longest_cpu:.0f} ms; plots visible {visible / 1000:.2f} s "
        f"(main thread on the CPU until then {cpu_until_visible / 1000:.2f} s); {wire.sent / 1e6:.2f} MB as sent"
    )


def frame_bytes(wire: Wire, start: int) -> str:
    frames = wire.events[start:]
    if not frames:
        return "no frames"
    sizes = sorted(size for size, _ in frames)
    fresh = statistics.mean(f for _, f in frames)
    return (
        f"{len(sizes)} frames: mean {statistics.mean(sizes) / 1000:.1f} kB "
        f"({fresh / 1000:.1f} kB of it the batch's digits), "
        f"median {statistics.median(sizes) / 1000:.1f} kB, max {sizes[-1] / 1000:.1f} kB"
    )


def run() -> list[tuple[str, str]]:
    rows = []
    with served_chromium() as (server, browser, tmp):
        for preset, speed in (("xor", 1), ("xor", 100), ("digits", 1), ("digits", 100)):
            context, page = desktop_page(browser, LONG_TASKS, PLOTS_VISIBLE)
            wire = Wire(context, page)
            view = "&view=gradients" if preset == "digits" else ""
            trace = tmp / "load.json"
            if speed == 1:
                browser.start_tracing(
                    page=page,
                    path=str(trace),
                    categories=[
                        "devtools.timeline",
                        "disabled-by-default-devtools.timeline",
                        "blink.user_timing",
                    ],
                )
            page.goto(f"{server.url}/?preset={preset}&speed={speed}{view}")
            if speed == 1:
                rows.append((f"load {preset}", load_figures(page, wire, trace)))
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
            if preset == "digits":
                rows.append((f"frames {preset} ×{speed}", frame_bytes(wire, 0)))
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
    return rows
