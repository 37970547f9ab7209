"""Where work runs: a bounded lane for expensive work, shared answers, and stopping.

Work within the budget's `cheap_work` (app/budget.py: a single step, a State) runs in the
cheap lane, a plain thread pool handed jobs by the event loop directly (anyio's
to_thread, which FastAPI uses for sync handlers, cost a small net's step three times as
much CPU per hop on this path). Work above it runs in its own lane of `heavy_threads`
threads, and at most `heavy_queue` more jobs wait for it; beyond that the server answers
503 with Retry-After rather than queue without end. A slow or abandoned job can therefore
hold only the heavy lane, never the threads that serve pages, /meta and single steps.

Identical requests (the same key: e.g. one snapshot URL) share one job. A job stops at
its next check (between chunks of steps) when no client waits for it any more, or when
the server shuts down: the work function is given `should_stop` and raises `Stopped`.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.requests import Request

T = TypeVar("T")
CHEAP_THREADS = 40  # as many as anyio's pool for sync handlers: a blocked store call holds one
ShouldStop = Callable[[], bool]


class Busy(Exception):
    """The heavy lane and its queue are full: 503, try again after `retry_after` seconds."""

    def __init__(self, retry_after: int):
        super().__init__("the server is busy with expensive requests")
        self.retry_after = retry_after


class Stopped(Exception):
    """Work stopped between chunks: its clients left, or the server is shutting down."""


class ClientGone(Exception):
    """The client disconnected while its answer was being computed."""


@dataclass
class Job:
    future: asyncio.Future
    stop: threading.Event = field(default_factory=threading.Event)
    waiters: int = 0


class Lanes:
    def __init__(self, heavy_threads: int, heavy_queue: int, cheap_work: int, retry_after: int = 2):
        self.heavy_threads, self.heavy_queue, self.retry_after = heavy_threads, heavy_queue, retry_after
        self.cheap_work = cheap_work
        self._cheap = ThreadPoolExecutor(CHEAP_THREADS, "bpx-cheap")
        # Its own threads, at a lower scheduling priority: when the machine is short of CPU,
        # the threads answering pages and single steps are served first.
        self._executor = ThreadPoolExecutor(heavy_threads, "bpx-heavy", initializer=_lower_priority)
        self._jobs: dict[Hashable, Job] = {}
        self._admitted = 0  # heavy jobs running or waiting for a thread
        self.shutting_down = threading.Event()

    @property
    def heavy_jobs(self) -> int:
        return self._admitted

    async def run(
        self,
        plan: Callable[[], int],
        work: Callable[[ShouldStop], T],
        request: Request | None,
        key: Hashable | None = None,
    ) -> T:
        """`plan()` checks the budget (a 422 if over) and says how much work this is; within
        `cheap_work` the work runs at once in the same pool thread, else in the heavy lane."""

        def cheap() -> tuple[bool, T | None]:
            if plan() > self.cheap_work:
                return False, None
            return True, work(self.shutting_down.is_set)

        done, answer = await self.cheap(cheap)
        if done:
            return answer  # type: ignore[return-value]
        return await self.heavy(work, request, key)

    async def cheap(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` in the cheap lane, off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self._cheap, fn, *args)

    async def heavy(
        self, fn: Callable[[ShouldStop], T], request: Request | None, key: Hashable | None = None
    ) -> T:
        """Run `fn` in the heavy lane (or join the identical job already there); the answer,
        or ClientGone if `request`'s client leaves first (then the job stops if nobody else waits)."""
        job = self._jobs.get(key) if key is not None else None
        if job is None:
            if self._admitted >= self.heavy_threads + self.heavy_queue:
                raise Busy(self.retry_after)
            job = Job(asyncio.get_running_loop().create_future())
            self._admitted += 1
            if key is not None:
                self._jobs[key] = job
            asyncio.get_running_loop().create_task(self._execute(job, fn, key))
        job.waiters += 1
        try:
            return await self._wait(job, request)
        finally:
            job.waiters -= 1
            if job.waiters == 0 and not job.future.done():
                job.stop.set()  # nobody wants it any more: stop at the next chunk
                if key is not None and self._jobs.get(key) is job:
                    del self._jobs[key]  # a new identical request starts afresh

    async def _execute(self, job: Job, fn: Callable[[ShouldStop], Any], key: Hashable | None) -> None:
        def should_stop() -> bool:
            return job.stop.is_set() or self.shutting_down.is_set()

        try:
            result = await asyncio.get_running_loop().run_in_executor(self._executor, fn, should_stop)
        except BaseException as error:  # handed to every waiter, as the answer would be
            if not job.future.done():
                job.future.set_exception(error)
            if not isinstance(error, Exception):
                raise
        else:
            if not job.future.done():
                job.future.set_result(result)
        finally:
            self._admitted -= 1
            if key is not None and self._jobs.get(key) is job:
                del self._jobs[key]
            if job.future.done() and not job.future.cancelled():
                job.future.exception()  # retrieved: a job nobody waited for is not "never retrieved"

    async def _wait(self, job: Job, request: Request | None) -> Any:
        if request is None:
            return await asyncio.shield(job.future)
        gone = asyncio.ensure_future(_disconnected(request))
        try:
            done, _ = await asyncio.wait({job.future, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            gone.cancel()
        if job.future in done:
            return job.future.result()
        raise ClientGone

    def stop_all(self) -> None:
        """Shutting down: every job stops at its next chunk, and none that waits starts."""
        self.shutting_down.set()
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._cheap.shutdown(wait=False, cancel_futures=True)


def _lower_priority() -> None:
    """Linux schedules threads one by one: nice this one (10) so it yields to the others."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):  # not Linux, or not allowed: same priority, still bounded
        pass


async def _disconnected(request: Request) -> None:
    """Returns when the client has gone (the body was read before the handler ran)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass
