"""A classroom on one server (issue figures): 100 students at once, 100 students clicking
Step once a second, and 40 abandoned expensive requests, on the default settings with one
worker and with BPX_WORKERS=2.

The load generator is aiohttp on one event loop in this process (its CPU share is
reported: it must not be the bottleneck). Step requests/s are compared with the same
server's requests/s for a small static file under the same load, in the same run: on a
shared machine the ratio means more than either figure.

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
start-up's objects were frozen (app/main.py). What remains on the event loop is mostly
FastAPI's per-request work (routing, validating each query parameter on its own) and gzip.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from pathlib import Path

import aiohttp

from tests.bench.bench_scale import cpu_seconds, load, machine_row, percentile
from tests.support import Server

CLIENTS = 100
STATIC = "/static/js/api.js"  # a few kB
HEAVY = "/api/v1/snapshot?dataset=spiral&hidden=64,64&n_samples=5000&step=80&fields=step&seed={seed}"


async def static_rate(url: str, total: int = 2000) -> tuple[float, float]:
    """Requests/s for a small static file, CLIENTS at once; and the generator's CPU share."""
    connector = aiohttp.TCPConnector(limit=CLIENTS)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def client(n: int) -> None:
            for _ in range(n):
                async with session.get(url + STATIC) as response:
                    await response.read()

        cpu, start = time.process_time(), time.perf_counter()
        await asyncio.gather(*(client(total // CLIENTS) for _ in range(CLIENTS)))
        wall = time.perf_counter() - start
        return total / wall, (time.process_time() - cpu) / wall


async def clicking(url: str, seconds: float = 10.0) -> tuple[list[float], int]:
    """Open loop: each student clicks Step once a second (at a random phase)."""
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
            while time.perf_counter() < end:
                tick = time.perf_counter()
                async with session.post(f"{url}/api/v1/runs/{run_id}/step", json={"steps": 1}) as response:
                    await response.read()
                    errors += response.status != 200
                times.append((time.perf_counter() - tick) * 1000)
                await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - tick)))

        await asyncio.gather(*(student() for _ in range(CLIENTS)))
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


def scenarios(label: str, server: Server) -> list[tuple[str, str]]:
    url, pids = server.url, [server.process.pid]
    asyncio.run(load(url, steps=2))  # warm-up
    asyncio.run(static_rate(url, 500))
    # Static and step blocks alternate (two of each), so that a busy machine's swings fall on
    # both; the server's CPU per request is the steadier figure when other work takes cores.
    static_s = static_n = static_cpu = static_gen = step_s = step_cpu = gen_cpu = 0.0
    times: list[float] = []
    errors: list[str] = []
    for _ in range(2):
        before = cpu_seconds(pids)
        rate, generator = asyncio.run(static_rate(url))
        static_cpu += cpu_seconds(pids) - before
        static_s, static_n, static_gen = static_s + 2000 / rate, static_n + 2000, static_gen + generator
        before = cpu_seconds(pids)
        block, block_errors, wall, generator_seconds = asyncio.run(load(url))
        step_cpu += cpu_seconds(pids) - before
        times, errors = times + block, errors + block_errors
        step_s, gen_cpu = step_s + wall, gen_cpu + generator_seconds
    static, steps = static_n / static_s, len(times) / step_s
    cpu_static, cpu_step = static_cpu / static_n * 1e6, step_cpu / len(times) * 1e6
    rows = [
        (
            f"{label}: 100 at once",
            f"{steps:.0f} steps/s = {steps / static:.2f}× static ({static:.0f}/s), p50 "
            f"{percentile(times, 0.5):.0f} ms, p99 {percentile(times, 0.99):.0f} ms, {len(errors)} errors; "
            f"server CPU a request: static {cpu_static:.0f} µs, step {cpu_step:.0f} µs (its run's creation "
            f"shared in) = {cpu_static / cpu_step:.2f}×; CPU: generator {gen_cpu / step_s:.0%} "
            f"(static {static_gen / 2:.0%}), server {step_cpu / step_s:.0%}",
        )
    ]
    clicks, errors_ = asyncio.run(clicking(url))
    rows.append(
        (
            f"{label}: 100 click 1/s",
            f"p50 {percentile(clicks, 0.5):.1f} ms, p99 {percentile(clicks, 0.99):.1f} ms, {errors_} errors",
        )
    )
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
    for label, figure in run():
        print(f"{label:<28} {figure}")
