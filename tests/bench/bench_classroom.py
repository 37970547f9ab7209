"""A classroom on one server (issue figures): 100 students at once, 100 students clicking
Step once a second, 80 playing while 20 click Step once a second (the page's own requests),
and 40 abandoned expensive requests, on the default settings with one worker and with
BPX_WORKERS=2.

The load generator is aiohttp on one event loop in this process (its CPU share is
reported: it must not be the bottleneck). Step requests/s are compared with the same
server's requests/s for a small static file, and for GET /runs/{id} (the framework's floor
for an answer about a run), under the same load, in the same run: on a shared machine the
ratio means more than either figure.

Where one XOR step request's time went before this work (one thread, this machine, shared):
store read 21 µs, store write (commit) 92 µs, the update 92 µs, building the State 71 µs
(+79 µs to_dict), orjson 22 µs: about 0.33 ms of the request's own work, against ~2 ms per
request of framework (uvicorn, Starlette, FastAPI's dependency solving, the thread hop),
which is also the floor for a static file. Under wrk with 100 connections on 100 runs the
live-run cache (64 runs then) thrashed: 7% of the samples rebuilt evicted runs; the cache
now holds 256 runs per worker (still within BPX_MAX_CACHE_MB).

Then, profiled under this load (py-spy, and the app called in-process) and taken off the
step's path: every State's JSON was written twice and all its arrays walked for NaN (its
Nones looked like NaN's nulls; app/serialize.py), four dependencies solved per request
(one now, app/deps.py StateRequest), anyio's thread hop (~42 µs of CPU; the cheap lane's
own pool ~14 µs), three store reads a step (one), and the cyclic garbage collector, which
ran every few requests and passed over the whole start-up heap (0.1-0.4 s each) until
start-up's objects were frozen (app/main.py). What remained on the event loop was mostly
FastAPI's per-request work (routing, validating each query parameter on its own) and gzip.

Then taken off: FastAPI's routing and dependency solving for a plainly valid Step and
create (app/lean.py: its own route first, the same fields; ~170 µs of CPU a step
in-process), concurrent.futures' bookkeeping per hop to the cheap lane (20 -> 9 µs a job),
GZipMiddleware on a Step's answer (gzipped in its thread), and a new np.errstate per engine
block (~7 µs each, four a step: engine/quiet.py). Same run, load average 18 (one worker /
two): server CPU a step 1027 -> 725 / 1112 -> 903 µs against static 595 / 578 µs.

With two workers a run's steps alternate between the workers when every student's request
may take any connection of one pool: each worker then replays the other's steps (every
step's forward and backward pass computed twice), the larger part of the CPU a step costs
more than with one worker. A browser keeps its own connections (bench_students), so the
rows "as browsers" give each student its own session; the issue's rows are kept as they were.

Then, under 100 students stepping, strace counted SQLite's busy handler sleeping (≥1 ms a
time, clock_nanosleep) whenever a writer found the write lock taken: a worker's threads now
take turns at a lock of the store's own, and worker processes at a flock on a file beside
the database, a blocking hand-off (app/store/sqlite.py; 2 workers: 536 sleeps a run -> 10).

Two static and two step blocks gave ratios ±0.15 apart from one run to the next on a quiet
machine (static alone 947-1893 requests/s): the rows now alternate PAIRS step blocks with
static blocks on both sides, and give the median of the step blocks' ratios to their
neighbours and the spread (min-max), for the rates and for the server's CPU per request.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp

from tests.bench.bench_scale import STEPS, cpu_seconds, load, machine_row, percentile, student
from tests.bench.bench_students import BROWSER_CONNECTIONS
from tests.support import ROOT, Server

CLIENTS = 100
STATIC = "/static/js/api.js"  # a few kB
HEAVY = "/api/v1/snapshot?dataset=spiral&hidden=64,64&n_samples=5000&step=80&fields=step&seed={seed}"


async def static_rate(
    url: str, total: int = 2000, browsers: bool = False, path: str = STATIC
) -> tuple[float, float]:
    """Requests/s for `path` (a small static file unless told), CLIENTS at once; and the
    generator's CPU share. `browsers`: each client its own session, as each student's browser
    keeps its own connections (at most BROWSER_CONNECTIONS); else one pool of CLIENTS
    connections for all."""
    async with sessions(browsers) as pick:

        async def client(session: aiohttp.ClientSession, n: int) -> None:
            for _ in range(n):
                async with session.get(url + path) as response:
                    await response.read()

        cpu, start = time.process_time(), time.perf_counter()
        await asyncio.gather(*(client(pick(k), total // CLIENTS) for k in range(CLIENTS)))
        wall = time.perf_counter() - start
        return total / wall, (time.process_time() - cpu) / wall


async def a_run(url: str) -> str:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{url}/api/v1/runs", json={"preset": "xor"}) as response:
            return (await response.json())["id"]


async def stepping(url: str, browsers: bool) -> tuple[list[float], list[str], float, float]:
    """bench_scale.load, the students' sessions as static_rate's."""
    if not browsers:
        return await load(url)
    times: list[float] = []
    errors: list[str] = []
    async with sessions(True) as pick:
        cpu, start = time.process_time(), time.perf_counter()
        await asyncio.gather(*(student(pick(k), url, STEPS, times, errors) for k in range(CLIENTS)))
        return times, errors, time.perf_counter() - start, time.process_time() - cpu


@contextlib.asynccontextmanager
async def sessions(browsers: bool) -> AsyncIterator[Callable[[int], aiohttp.ClientSession]]:
    """pick(k): client k's session: its own (a browser) or the one shared pool."""
    timeout = aiohttp.ClientTimeout(total=120)
    count, limit = (CLIENTS, BROWSER_CONNECTIONS) if browsers else (1, CLIENTS)
    opened = [
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=limit), timeout=timeout)
        for _ in range(count)
    ]
    try:
        yield lambda k: opened[k % count]
    finally:
        await asyncio.gather(*(session.close() for session in opened))


async def clicking(
    url: str, seconds: float = 10.0, students: int = CLIENTS, query: str = ""
) -> tuple[list[float], int]:
    """Open loop: each student clicks Step once a second (at a random phase); `query`: the
    Step's (the page's parts, each time since the step before)."""
    times: list[float] = []
    errors = 0
    connector = aiohttp.TCPConnector(limit=CLIENTS)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:

        async def student() -> None:
            nonlocal errors
            async with session.post(f"{url}/api/v1/runs", json={"preset": "xor"}) as response:
                run_id = (await response.json())["id"]
            await asyncio.sleep(random.random())
            end = time.perf_counter() + seconds
            step = 0
            while time.perf_counter() < end:
                tick = time.perf_counter()
                since = f"?{query}&since={step}" if query else ""
                async with session.post(
                    f"{url}/api/v1/runs/{run_id}/step{since}", json={"steps": 1}
                ) as response:
                    await response.read()
                    errors += response.status != 200
                times.append((time.perf_counter() - tick) * 1000)
                step += 1
                await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - tick)))

        await asyncio.gather(*(student() for _ in range(students)))
    return times, errors


async def abandoned(url: str, seconds: float = 10.0) -> tuple[float, int]:
    """40 expensive requests abandoned after 2 s; the slowest /meta answer meanwhile."""
    slowest, answered = 0.0, 0
    async with aiohttp.ClientSession() as session:

        async def attacker(seed: int) -> None:
            try:
                async with session.get(
                    url + HEAVY.format(seed=seed), timeout=aiohttp.ClientTimeout(total=2)
                ) as r:
                    await r.read()
            except (TimeoutError, aiohttp.ClientError):
                pass

        attack = [asyncio.ensure_future(attacker(seed)) for seed in range(40)]
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            tick = time.perf_counter()
            async with session.get(url + "/api/v1/meta", timeout=aiohttp.ClientTimeout(total=30)) as response:
                await response.read()
                answered += response.status == 200
            slowest = max(slowest, time.perf_counter() - tick)
            await asyncio.sleep(0.1)
        await asyncio.gather(*attack)
    return slowest, answered


# The page's own requests (tests/bench/bench_students.py records them): a Step with what the
# panels on screen draw, and a stream at the default speed with the side plots' numbers.
PAGE_STEP = "include=history,neurons,preview,grid"
PAGE_STREAM = "rate=40&steps_per_frame=5&include=neurons,preview,grid"
PLAYERS, CLICKERS = 80, 20  # a class of 100: most play, some click Step once a second


async def playing(url: str, players: int, seconds: float) -> dict:
    """`players` XOR streams for `seconds`: frames each received, and this process's CPU."""
    frames = [0] * players
    cpu = time.process_time()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def player(k: int) -> None:
            async with session.post(f"{url}/api/v1/runs", json={"preset": "xor"}) as response:
                run_id = (await response.json())["id"]
            end = time.perf_counter() + seconds
            async with session.get(f"{url}/api/v1/runs/{run_id}/stream?{PAGE_STREAM}") as response:
                async for line in response.content:
                    frames[k] += line.startswith(b"id: ")
                    if time.perf_counter() > end:
                        break

        await asyncio.gather(*(player(k) for k in range(players)))
    return {"frames": frames, "cpu": time.process_time() - cpu}


def clicks_while_playing(label: str, url: str, seconds: float = 10.0) -> tuple[str, str]:
    """PLAYERS stream (a generator process of their own) while CLICKERS click Step once a
    second, as the page does: what a click waits while the class plays (app/foreground.py)."""
    players = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.bench_classroom", "--play", url, str(PLAYERS), str(seconds + 3)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
    )
    time.sleep(2.0)  # the streams open and settle
    clicks, errors = asyncio.run(clicking(url, seconds, CLICKERS, PAGE_STEP))
    played = json.loads(players.communicate()[0])
    per_stream = statistics.median(played["frames"]) / (seconds + 3)
    return (
        f"{label}: {PLAYERS} play, {CLICKERS} click 1/s",
        f"click p50 {percentile(clicks, 0.5):.0f} ms, p99 {percentile(clicks, 0.99):.0f} ms, {errors} errors; "
        f"frames/s a stream p50 {per_stream:.1f}; stream generator CPU {played['cpu'] / (seconds + 3):.0%}",
    )


PAIRS = 5  # step blocks, each between two static blocks (~1.5 s a block)


def around(static: list[float]) -> list[float]:
    """For each step block, the mean of the static blocks just before and after it."""
    return [(a + b) / 2 for a, b in zip(static[:-1], static[1:], strict=True)]


def hundred_at_once(label: str, url: str, pids: list[int], browsers: bool) -> tuple[str, str]:
    # Static and step blocks alternate, a static block on each side of every step block, so a
    # busy machine's swings (whole seconds long) fall on both: each step block is compared
    # with the static blocks just before and after it. The server's CPU per request is the
    # steadier figure when other work takes cores.
    #
    # Beside each static block, a block of GET /runs/{id}: the framework's floor for an answer
    # about a run (routing, dependencies, the thread hop, the response model). Since static
    # files are answered from memory (app/static_answers.py), a static file costs a tenth of
    # any answer the app computes, so the step's ratio to static says less than it did when
    # the issue was written (0.75x then, the same step cost); its ratio to this floor says how
    # much a step adds to the least an answer costs.
    floor_path = f"/api/v1/runs/{asyncio.run(a_run(url))}"
    floor_rates: list[float] = []
    floor_cpu: list[float] = []
    static_rates: list[float] = []
    static_cpu: list[float] = []
    step_rates: list[float] = []
    step_cpu: list[float] = []
    times: list[float] = []
    errors: list[str] = []
    static_gen = gen_cpu = step_s = step_server = 0.0

    def static_block() -> None:  # 2000 requests of a static file, 2000 of the floor
        nonlocal static_gen
        before = cpu_seconds(pids)
        rate, generator = asyncio.run(static_rate(url, browsers=browsers))
        static_cpu.append((cpu_seconds(pids) - before) / 2000)
        static_rates.append(rate)
        static_gen += generator
        before = cpu_seconds(pids)
        floor_rates.append(asyncio.run(static_rate(url, browsers=browsers, path=floor_path))[0])
        floor_cpu.append((cpu_seconds(pids) - before) / 2000)

    static_block()
    for _ in range(PAIRS):
        before = cpu_seconds(pids)
        block, block_errors, wall, generator_seconds = asyncio.run(stepping(url, browsers))
        step_server += cpu_seconds(pids) - before
        step_cpu.append((cpu_seconds(pids) - before) / len(block))
        step_rates.append(len(block) / wall)
        times, errors = times + block, errors + block_errors
        step_s, gen_cpu = step_s + wall, gen_cpu + generator_seconds
        static_block()
    ratios = [step / static for step, static in zip(step_rates, around(static_rates), strict=True)]
    # static's CPU a request over the step's, as the rates' ratio (<1 when a step costs more)
    cpu_ratios = [static / step for step, static in zip(step_cpu, around(static_cpu), strict=True)]
    floor_ratios = [step / floor for step, floor in zip(step_rates, around(floor_rates), strict=True)]
    steps, static = len(times) / step_s, statistics.median(static_rates)
    cpu_static, cpu_step = statistics.fmean(static_cpu) * 1e6, step_server / len(times) * 1e6
    return (
        f"{label}: 100 at once{', as browsers' if browsers else ''}",
        f"{steps:.0f} steps/s = {statistics.median(ratios):.2f}× static (median of {PAIRS} blocks, "
        f"{min(ratios):.2f}-{max(ratios):.2f}; static {static:.0f}/s, "
        f"{min(static_rates):.0f}-{max(static_rates):.0f}) = {statistics.median(floor_ratios):.2f}× "
        f"GET /runs/{{id}} ({min(floor_ratios):.2f}-{max(floor_ratios):.2f}; "
        f"{statistics.median(floor_rates):.0f}/s, {statistics.fmean(floor_cpu) * 1e6:.0f} µs of server CPU), "
        f"p50 {percentile(times, 0.5):.0f} ms, "
        f"p99 {percentile(times, 0.99):.0f} ms, {len(errors)} errors; server CPU a request: static "
        f"{cpu_static:.0f} µs, step {cpu_step:.0f} µs (its run's creation shared in) = "
        f"{statistics.median(cpu_ratios):.2f}× ({min(cpu_ratios):.2f}-{max(cpu_ratios):.2f}); CPU: generator "
        f"{gen_cpu / step_s:.0%} (static {static_gen / len(static_rates):.0%}), server "
        f"{step_server / step_s:.0%}",
    )


def scenarios(label: str, server: Server) -> list[tuple[str, str]]:
    url, pids = server.url, [server.process.pid]
    asyncio.run(load(url, steps=2))  # warm-up
    asyncio.run(static_rate(url, 500))
    # The figure: one pool of 100 connections, any student's request on any of them
    # (with two workers, a run's steps alternate between the workers, each replaying the
    # other's); then each student as a browser, on connections of its own.
    rows = [hundred_at_once(label, url, pids, browsers) for browsers in (False, True)]
    clicks, errors_ = asyncio.run(clicking(url))
    rows.append(
        (
            f"{label}: 100 click 1/s",
            f"p50 {percentile(clicks, 0.5):.1f} ms, p99 {percentile(clicks, 0.99):.1f} ms, {errors_} errors",
        )
    )
    rows.append(clicks_while_playing(label, url))
    slowest, answered = asyncio.run(abandoned(url))
    rows.append((f"{label}: 40 abandoned", f"slowest /meta {slowest * 1000:.0f} ms ({answered} answered)"))
    return rows


def run() -> list[tuple[str, str]]:
    rows = [machine_row()]
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            server = Server(Path(tmp) / "bench.sqlite3", workers=workers).start()
            try:
                rows += scenarios(f"{workers} worker{'s' if workers > 1 else ''}", server)
            finally:
                server.stop()
    return rows


if __name__ == "__main__":
    if sys.argv[1:2] == ["--play"]:  # the players' generator process (clicks_while_playing)
        print(json.dumps(asyncio.run(playing(sys.argv[2], int(sys.argv[3]), float(sys.argv[4])))))
        sys.exit()
    for label, figure in run():
        print(f"{label:<28} {figure}")
