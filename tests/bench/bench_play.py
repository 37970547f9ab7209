"""Frames a second while playing, per lesson and speed: the page's stream (its rate, each
speed's steps per frame, compact frames) against a real server on loopback, one client.

The page draws every frame it receives (bench_browser times the drawing); a lesson plays
smoothly when this is at least 10 frames a second at every speed the page offers.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from pathlib import Path

import httpx

from tests.support import ROOT, Server

SECONDS = 1.5  # of play per lesson and speed


def page_rate_and_speeds() -> tuple[float, list[int]]:
    """The page's stream rate (static/js/actions.js) and the speeds its menu offers."""
    main = (ROOT / "static/js/actions.js").read_text()
    rate = float(re.search(r"const STREAM_RATE = (\d+)", main).group(1))  # type: ignore[union-attr]
    menu = (ROOT / "templates/index.html").read_text()
    select = re.search(r'<select id="speed".*?</select>', menu, re.S).group(0)  # type: ignore[union-attr]
    return rate, [int(v) for v in re.findall(r'value="(\d+)"', select)]


def frames_per_second(url: str, preset: str, rate: float, speed: int) -> tuple[float, float]:
    """Frames a second over SECONDS of play, and the longest gap between two frames (s)."""
    run_id = httpx.post(f"{url}/api/v1/runs", json={"preset": preset}, timeout=60).json()["id"]
    params = {"rate": rate, "steps_per_frame": speed, "format": "compact"}
    times: list[float] = []
    with httpx.stream("GET", f"{url}/api/v1/runs/{run_id}/stream", params=params, timeout=60) as response:
        for line in response.iter_lines():
            if line.startswith("event: state"):
                times.append(time.perf_counter())
                if times[-1] - times[0] >= SECONDS:
                    break
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    return (len(times) - 1) / (times[-1] - times[0]), max(gaps)


def run() -> list[tuple[str, str]]:
    rate, speeds = page_rate_and_speeds()
    lessons = sorted(p.stem for p in (ROOT / "engine/lessons").glob("*.json"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(Path(tmp) / "bench.sqlite3").start()
        try:
            worst = (float("inf"), "")
            for lesson in lessons:
                if "config" not in json.loads((ROOT / f"engine/lessons/{lesson}.json").read_text()):
                    continue
                figures = []
                for speed in speeds:
                    fps, gap = frames_per_second(server.url, lesson, rate, speed)
                    figures.append(f"{speed}× {fps:4.1f}/s (gap ≤{gap * 1000:.0f} ms)")
                    worst = min(worst, (fps, f"{lesson} {speed}×"))
                rows.append((f"play {lesson}", ", ".join(figures)))
            rows.append(("play, slowest", f"{worst[0]:.1f} frames/s ({worst[1]}; page rate {rate:.0f}/s)"))
        finally:
            server.stop()
    return rows


if __name__ == "__main__":
    for label, figure in run():
        print(f"{label:<28} {figure}")
