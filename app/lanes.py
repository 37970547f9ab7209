"""Where work runs: a bounded lane for expensive work, shared answers, and stopping.

Work within the budget's `cheap_work` (app/budget.py: a single step, a State) runs in the
cheap lane, threads handed jobs by the event loop through one queue (CheapPool below:
anyio's to_thread, which FastAPI uses for sync handlers, cost a small net's step three
times as much CPU per hop on this path, and concurrent.futures' pool still more than this). Work above it runs in its own lane of `heavy_threads`
threads, and at most `heavy_queue` more jobs wait for it; beyond that the server answers
503 with Retry-After rather than queue without end. A slow or abandoned job can therefore
hold only the heavy lane, never the threads that serve pages, /meta and single steps.

Identical requests (the same key: e.g. one snapshot URL) share one job. A job stops at
its next check (between chunks of steps) when no client waits for it any more, or when
the server shuts down: the work function is given `should_stop` and raises `Stopped`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.requests import Request

from app.foreground import step_aside

log = logging.getLogger("bpx")

T = TypeVar("T")
CHEAP_THREADS = 40  # at most, as anyio's pool for sync handlers: a blocked store call holds one
# ... but only as many as there are cores while jobs keep moving (CheapPool: more threads than
# cores only fight for the GIL: 100 XOR Steps at once with the page's parts cost 1.6-1.9 ms of
# server CPU each with 40 threads at them, 1.2-1.3 ms with 2, p99 220-275 -> 120-145 ms).
STALL_SECONDS = 0.05  # no job taken this long while jobs wait: the threads are blocked, add one
IDLE_SECONDS = 10.0  # a thread added for a stall ends after this long without a job
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
        self._cheap = CheapPool(CHEAP_THREADS, "bpx-cheap")
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
        return await self._cheap.run(fn, *args)

    async def heavy(
        self, fn: Callable[[ShouldStop], T], request: Request | None, key: Hashable | None = None
    ) -> T:
        """Run `fn` in the heavy lane (or join the identical job already there); the answer,
        or ClientGone if `request`'s client leaves first (then the job stops if nobody else waits).
        The request no longer holds streams' frames back (app/foreground.py)."""
        if request is not None:
            step_aside(request.scope)
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
        self._cheap.stop()


class CheapPool:
    """Threads started as jobs need them, each taking the next job from one queue; the answer
    comes back to the event loop with one call_soon_threadsafe.

    As many threads as there are cores (`base`) while the queue moves: jobs are short Python
    work, and a thread more only contends for the GIL. When no job has been taken for
    STALL_SECONDS while jobs wait, the threads are blocked (a store call, a run's lock held by
    long work): a thread is added, up to `most`, and one so added ends once it has been idle
    for IDLE_SECONDS. A few blocked jobs therefore never hold up the rest.

    run_in_executor on a concurrent.futures pool costs, per job, a concurrent Future and the
    asyncio Future wrapping it, and the pool's idle semaphore and shutdown locks, Python
    locks that the loop and the pool's threads take in turn: a few µs of Python work handed
    over 100 at once cost 20 µs of CPU per job that way, 9 µs this way."""

    def __init__(self, most: int, name: str, base: int | None = None):
        self.most, self.name = most, name
        self.base = min(most, base or os.cpu_count() or 2)
        self._jobs: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._threads_lock = threading.Lock()  # an added thread removes itself when it ends
        self._waiting = 0  # jobs handed out and not answered yet: counted on the event loop only
        self._taken = 0  # jobs the threads have taken: whether the queue moves (_check_stall)
        self._watching: asyncio.TimerHandle | None = None
        self._stopped = False

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        if self._stopped:
            raise Stopped
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._waiting += 1
        if self._waiting > len(self._threads) and len(self._threads) < self.base:
            self._start()
        self._jobs.put((loop, future, fn, args))
        if self.base < self.most and self._waiting > len(self._threads) and self._watching is None:
            self._watching = loop.call_later(STALL_SECONDS, self._check_stall, loop, self._taken)
        try:
            return await future
        finally:
            self._waiting -= 1

    def _check_stall(self, loop: asyncio.AbstractEventLoop, taken: int) -> None:
        """On the event loop, STALL_SECONDS after jobs were left waiting: a thread more if
        none was taken meanwhile; watching again while jobs still wait."""
        self._watching = None
        if self._stopped or self._waiting <= len(self._threads):
            return
        if self._taken == taken and len(self._threads) < self.most:
            self._start()
        self._watching = loop.call_later(STALL_SECONDS, self._check_stall, loop, self._taken)

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        """fn(*args) in one of the threads, with nobody waiting for it (work a cancelled task
        still owes, from its `finally`); an error it raises is logged."""
        if not self._threads:
            self._start()
        self._jobs.put((None, None, fn, args))

    def stop(self) -> None:
        """Jobs not started yet are cancelled; the threads end after the job they are on."""
        self._stopped = True
        for _ in self._threads:
            self._jobs.put(None)

    def _start(self) -> None:
        with self._threads_lock:
            added = len(self._threads) >= self.base
            thread = threading.Thread(
                target=self._serve, args=(added,), name=f"{self.name}_{len(self._threads)}", daemon=True
            )
            self._threads.append(thread)
        thread.start()

    def _next(self, added: bool) -> tuple[Any, ...] | None:
        """The next job; None to end (stopped, or an added thread idle for IDLE_SECONDS)."""
        if not added:
            return self._jobs.get()
        try:
            return self._jobs.get(timeout=IDLE_SECONDS)
        except queue.Empty:
            with self._threads_lock:
                self._threads.remove(threading.current_thread())
            return None

    def _serve(self, added: bool = False) -> None:
        while (job := self._next(added)) is not None:
            self._taken += 1  # one thread at a time holds the GIL: a plain count is exact enough
            loop, future, fn, args = job
            del job
            if self._stopped:
                _answer(loop, future, Stopped(), None)
                continue
            if future is not None and future.cancelled():  # its waiter left before it started
                continue  # (a flag the loop set, read here: as concurrent.futures skips one)
            error, result = None, None
            try:
                result = fn(*args)
            except BaseException as caught:  # handed to the waiter, as run_in_executor does
                error = caught
            if future is not None:
                _answer(loop, future, error, result)
            elif error is not None:  # submitted: nobody waits to hear of it
                log.error("%s: a job nobody waited for failed", self.name, exc_info=error)
            del loop, future, fn, args, error, result  # not kept alive while waiting for the next job


def _answer(
    loop: asyncio.AbstractEventLoop | None,
    future: asyncio.Future | None,
    error: BaseException | None,
    result: Any,
) -> None:
    if loop is None or future is None:  # submitted: nobody waits for the answer
        return
    try:
        loop.call_soon_threadsafe(_settle, future, error, result)
    except RuntimeError:  # the loop has closed: nobody waits for this answer
        pass


def _settle(future: asyncio.Future, error: BaseException | None, result: Any) -> None:
    if future.cancelled():  # its request was cancelled while the job ran
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)


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
