"""What one Step click costs on the wire: the requests the page makes from the click until it
is idle again, and their bytes as sent (compressed bodies). Shared by the browser test that
holds the page to its budget (test_clicks.py) and the benchmark that reports it
(tests/bench/bench_clicks.py)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

IDLE = "window.__bpx && window.__bpx.rendered > 0 && window.__bpx.busy === 0 && !window.__bpx.sidePending"
QUIET_MS = 400  # no request for this long after the page says it is idle: the click is over


@dataclass(frozen=True)
class Request:
    method: str
    url: str  # path and query, without the server
    body: str
    sent: int  # request body plus response body as it travelled (compressed)

    @property
    def path(self) -> str:
        """The URL path with the run's id as {id}, so clicks on different runs compare."""
        parts = urlsplit(self.url).path.split("/")
        if len(parts) > 4 and parts[3] == "runs":
            parts[4] = "{id}"
        return "/".join(parts)


class Recorder:
    """Every finished request of one page, and how many are in flight."""

    def __init__(self, page, base: str):
        self.page, self.base = page, base
        self.done: list[Request] = []
        self.in_flight = 0
        self.last_event = time.monotonic()
        page.on("request", self._started)
        page.on("requestfinished", self._finished)
        page.on("requestfailed", self._failed)

    def _started(self, request) -> None:
        self.in_flight += 1
        self.last_event = time.monotonic()

    def _failed(self, request) -> None:
        self.in_flight -= 1
        self.last_event = time.monotonic()

    def _finished(self, request) -> None:
        self.in_flight -= 1
        self.last_event = time.monotonic()
        sizes = request.sizes()
        self.done.append(
            Request(
                request.method,
                request.url.removeprefix(self.base),
                request.post_data or "",
                sizes["requestBodySize"] + sizes["responseBodySize"],
            )
        )

    def settle(self, timeout: float = 30.0) -> None:
        """Until the page is idle and no request started or ended for QUIET_MS."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.page.wait_for_function(IDLE, timeout=timeout * 1000)
            self.page.wait_for_timeout(100)
            if self.in_flight == 0 and time.monotonic() - self.last_event >= QUIET_MS / 1000:
                return
        raise TimeoutError("the page kept requesting")

    def step_clicks(self, n: int) -> list[list[Request]]:
        """Click Step n times, one at a time: the requests each click caused."""
        self.settle()
        clicks = []
        for _ in range(n):
            before = self.page.evaluate("window.__bpx.step")
            self.done.clear()
            self.page.click("#btn-step")
            self.page.wait_for_function(f"window.__bpx.step > {before}")
            self.settle()
            clicks.append(list(self.done))
        return clicks


def repeats(click: list[Request]) -> list[str]:
    """Requests of one click asked more than once (same method, URL and body)."""
    seen: set[tuple[str, str, str]] = set()
    twice = []
    for r in click:
        key = (r.method, r.url, r.body)
        if key in seen:
            twice.append(f"{r.method} {r.url}")
        seen.add(key)
    return twice
