"""The heavy lane: identical requests share one job, a full lane says so, work stops when
nobody waits for it."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from app.lanes import Busy, Lanes


def test_identical_requests_share_one_computation():
    calls = []

    def work(should_stop) -> int:
        calls.append(1)
        time.sleep(0.3)
        return 42

    async def main() -> list[int]:
        lanes = Lanes(heavy_threads=1, heavy_queue=4, cheap_work=0)
        return await asyncio.gather(*(lanes.heavy(work, None, key="same") for _ in range(5)))

    assert asyncio.run(main()) == [42] * 5 and len(calls) == 1


def test_a_full_lane_answers_busy_at_once():
    release = threading.Event()

    async def main() -> None:
        lanes = Lanes(heavy_threads=1, heavy_queue=1, cheap_work=0)
        first = asyncio.ensure_future(lanes.heavy(lambda stop: release.wait(5), None, key=1))
        second = asyncio.ensure_future(lanes.heavy(lambda stop: release.wait(5), None, key=2))
        await asyncio.sleep(0.1)
        with pytest.raises(Busy) as busy:
            await lanes.heavy(lambda stop: None, None, key=3)
        assert busy.value.retry_after > 0
        release.set()
        await asyncio.gather(first, second)

    asyncio.run(main())


def test_work_stops_when_its_last_waiter_leaves():
    stopped = threading.Event()

    def work(should_stop) -> None:
        while not should_stop():  # a chunk of steps, then the check
            time.sleep(0.01)
        stopped.set()

    async def main() -> None:
        lanes = Lanes(heavy_threads=1, heavy_queue=1, cheap_work=0)
        waiter = asyncio.ensure_future(lanes.heavy(work, None, key="k"))
        await asyncio.sleep(0.2)
        waiter.cancel()  # the client left
        await asyncio.sleep(0.5)

    asyncio.run(main())
    assert stopped.wait(2)


def test_the_cheap_pool_answers_each_job_and_says_its_errors():
    from app.lanes import CheapPool

    def work(n: int) -> int:
        if n == 3:
            raise ValueError("three")
        time.sleep(0.01)
        return n * n

    async def main() -> list:
        pool = CheapPool(4, "test", base=4)
        answers = await asyncio.gather(*(pool.run(work, n) for n in range(20)), return_exceptions=True)
        assert len(pool._threads) == 4  # no more threads than `most`, however many jobs wait
        pool.stop()
        return answers

    answers = asyncio.run(main())
    assert [a for n, a in enumerate(answers) if n != 3] == [n * n for n in range(20) if n != 3]
    assert isinstance(answers[3], ValueError) and str(answers[3]) == "three"


def test_the_cheap_pool_keeps_to_its_cores_while_jobs_move():
    """Short jobs, many at once: no more threads than `base` (more would only fight for the GIL)."""
    from app.lanes import CheapPool

    async def main() -> int:
        pool = CheapPool(40, "test", base=2)
        for _ in range(3):  # longer than a stall check: the queue moves all the while
            await asyncio.gather(*(pool.run(time.sleep, 0.002) for _ in range(40)))
        threads = len(pool._threads)
        pool.stop()
        return threads

    assert asyncio.run(main()) == 2


def test_the_cheap_pool_adds_a_thread_when_its_threads_are_blocked(monkeypatch):
    """Both threads wait on something slow (a lock that long work holds): a job behind them is
    answered all the same, by a thread added for the stall, which ends once idle."""
    from app import lanes
    from app.lanes import CheapPool

    monkeypatch.setattr(lanes, "IDLE_SECONDS", 0.3)
    release = threading.Event()

    async def main() -> tuple[int, int]:
        pool = CheapPool(40, "test", base=2)
        blocked = [asyncio.ensure_future(pool.run(release.wait, 5)) for _ in range(2)]
        answer = await asyncio.wait_for(pool.run(lambda: "answered"), 2)
        assert answer == "answered"
        grown = len(pool._threads)
        release.set()
        await asyncio.gather(*blocked)
        await asyncio.sleep(0.8)  # the added thread's idle time runs out
        shrunk = len(pool._threads)
        pool.stop()
        return grown, shrunk

    grown, shrunk = asyncio.run(main())
    assert grown == 3 and shrunk == 2


def test_the_cheap_pool_skips_a_job_whose_waiter_left_before_it_started():
    """A stream's frame queued when its client leaves is not built: building it would step
    the run past what the page saw (concurrent.futures skips a cancelled job the same way)."""
    from app.lanes import CheapPool

    release = threading.Event()
    ran: list[str] = []

    async def main() -> None:
        pool = CheapPool(1, "test")
        busy = asyncio.ensure_future(pool.run(release.wait, 5))
        left = asyncio.ensure_future(pool.run(ran.append, "left"))
        await asyncio.sleep(0.05)
        left.cancel()
        await asyncio.sleep(0.05)
        release.set()
        await busy
        assert await pool.run(ran.append, "stayed") is None
        pool.stop()

    asyncio.run(main())
    assert ran == ["stayed"]


def test_the_cheap_pool_runs_a_submitted_job_and_logs_its_error(caplog):
    """Work a cancelled stream still owes (telling the store its step), with nobody waiting."""
    from app.lanes import CheapPool

    done = threading.Event()

    def fails() -> None:
        raise ValueError("nobody heard")

    pool = CheapPool(1, "test")
    pool.submit(fails)
    pool.submit(done.set)
    assert done.wait(2)
    pool.stop()
    assert any("nobody waited" in r.getMessage() and r.exc_info for r in caplog.records)


def test_the_cheap_pool_stops_jobs_not_started():
    from app.lanes import CheapPool, Stopped

    release = threading.Event()

    async def main() -> list:
        pool = CheapPool(1, "test")
        running = asyncio.ensure_future(pool.run(release.wait, 5))
        waiting = asyncio.ensure_future(pool.run(lambda: "ran"))
        await asyncio.sleep(0.1)
        pool.stop()
        release.set()
        answers = await asyncio.gather(running, waiting, return_exceptions=True)
        with pytest.raises(Stopped):
            await pool.run(lambda: "after")
        return answers

    running, waiting = asyncio.run(main())
    assert running is True and isinstance(waiting, Stopped)
