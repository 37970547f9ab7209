"""Requests a person waits for go before streams' frames.

A class playing on one server keeps each worker busy with frames: its frame threads build
them as fast as they can (app/stream.py). A Step click, a pause or a page's first requests
then share the worker's GIL with those threads, and wait behind them.

So every request but a stream is counted while it runs (CountForeground), and a frame about
to be built waits until none is, for FRAME_WAITS_AT_MOST at most: clicks first, frames with
what is left, and never none. A request whose work goes to the heavy lane (app/lanes.py) steps
aside: that lane is already the server's lowest priority, and a snapshot of seconds would
otherwise slow every stream of its worker for as long.

bench_classroom "80 play, 20 click 1/s" (the page's Step and stream, XOR), before -> after,
same machine, load average ~3: 2 workers click p50 30-34 -> 13-15 ms, p99 97-168 -> 35-49 ms;
1 worker p50 23 -> 10 ms, p99 91 -> 33 ms; the streams' frames/s the same within the noise
(2 workers 20-28 -> 20-23 a stream, 1 worker 8.7 -> 7.8).
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send

# A frame waits at most this long (two frame intervals at the page's 40 a second): under a
# steady stream of clicks the streams still move.
FRAME_WAITS_AT_MOST = 0.05
SCOPE_KEY = "bpx.foreground"  # the scope's mark that its request is counted


class Foreground:
    """The count of requests running in a worker, and the frames waiting for it to reach zero.
    Kept on the worker's event loop, where every request begins and ends: a frame waits there
    before it is handed to a thread, so a waiting frame holds none of the threads that build
    frames and open streams (it held one: with a class loading at once, the two frame threads
    sat out their 50 ms while streams waited behind them to start)."""

    def __init__(self) -> None:
        self._running = 0
        self._waiters: set[asyncio.Future[None]] = set()

    @property
    def running(self) -> int:
        return self._running

    def begin(self) -> None:
        self._running += 1

    def end(self) -> None:
        self._running -= 1
        if self._running == 0:
            for waiter in self._waiters:
                _wake(waiter)
            self._waiters.clear()

    async def quiet(self, most: float = FRAME_WAITS_AT_MOST) -> None:
        """Return once no request runs, or after `most` seconds."""
        if not self._running:
            return
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        self._waiters.add(waiter)
        timer = loop.call_later(most, _wake, waiter)
        try:
            await waiter
        finally:
            timer.cancel()
            self._waiters.discard(waiter)


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class Counted:
    """One request's place in the count, given up once (at its end, or when it steps aside)."""

    def __init__(self, foreground: Foreground):
        self.foreground = foreground
        self.counted = True
        foreground.begin()

    def release(self) -> None:
        if self.counted:
            self.counted = False
            self.foreground.end()


def step_aside(scope: Scope) -> None:
    """The request's work goes to a lane below the frames': it no longer holds them back."""
    counted = scope.get(SCOPE_KEY)
    if counted is not None:
        counted.release()


class CountForeground:
    """Counts every HTTP request but a stream while it runs."""

    def __init__(self, app: ASGIApp, foreground: Foreground):
        self.app, self.foreground = app, foreground

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].endswith("/stream"):
            await self.app(scope, receive, send)
            return
        counted = scope[SCOPE_KEY] = Counted(self.foreground)
        try:
            await self.app(scope, receive, send)
        finally:
            counted.release()
