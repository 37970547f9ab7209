"""Scaling out: 100 students stepping at once, through nginx over two replicas on PostgreSQL,
beside the same load on one replica with SQLite, measured in the same run.

Each client creates its own XOR run, then takes single steps as fast as the answers come
(a closed loop, the page's Step button held down). The load generator is aiohttp on one
event loop in this process; its CPU share is reported so one can see it was not the
bottleneck, and so are the servers' (from /proc). On a shared or busy machine the
absolute figures move, and several processes get a larger share of a contended CPU than
one: compare the two rows of one run, and the steps per server CPU-second, which the
contention moves least.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

import aiohttp

from tests import proxy
from tests.postgres import Cluster, binaries
from tests.support import Server, start_replicas

CLIENTS = 100
STEPS = 20
TICKS = os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of processes and their children so far (uvicorn workers, nginx's)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(f) for f in fields[11:15]) / TICKS  # utime stime cutime cstime
            for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
                total += cpu_seconds([int(child)])
        except (OSError, IndexError):
            continue
    return total


async def student(
    session: aiohttp.ClientSession, url: str, steps: int, times: list[float], errors: list[str]
) -> None:
    async with session.post(f"{url}/api/v1/runs", json={"preset": "xor"}) as response:
        if response.status != 201:
            errors.append(f"create {response.status}")
            return
        run_id = (await response.json())["id"]
    for _ in range(steps):
        start = time.perf_counter()
        try:
            async with session.post(f"{url}/api/v1/runs/{run_id}/step", json={"steps": 1}) as response:
                await response.read()
                if response.status != 200:
                    errors.append(str(response.status))
        except (TimeoutError, aiohttp.ClientError) as error:
            errors.append(type(error).__name__)
        times.append((time.perf_counter() - start) * 1000)


async def load(url: str, steps: int = STEPS) -> tuple[list[float], list[str], float, float]:
    times: list[float] = []
    errors: list[str] = []
    connector = aiohttp.TCPConnector(limit=CLIENTS)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        cpu, start = time.process_time(), time.perf_counter()
        await asyncio.gather(*(student(session, url, steps, times, errors) for _ in range(CLIENTS)))
        return times, errors, time.perf_counter() - start, time.process_time() - cpu


def measure(label: str, url: str, server_pids: list[int], db_pids: tuple[int, ...] = ()) -> tuple[str, str]:
    asyncio.run(load(url, steps=2))  # warm-up: first requests, connection pools (not counted)
    before, db_before = cpu_seconds(server_pids), cpu_seconds(list(db_pids))
    times, errors, wall, generator_cpu = asyncio.run(load(url))
    servers = cpu_seconds(server_pids) - before
    database = f", PostgreSQL {(cpu_seconds(list(db_pids)) - db_before) / wall:.0%}" if db_pids else ""
    return (
        label,
        f"{len(times) / wall:.0f} steps/s, p50 {percentile(times, 0.5):.0f} ms, "
        f"p99 {percentile(times, 0.99):.0f} ms, {len(errors)} errors of {len(times)}; "
        f"CPU: load generator {generator_cpu / wall:.0%} of a core, servers {servers / wall:.0%}{database}; "
        f"{len(times) / max(servers, 1e-9):.0f} steps per server CPU-second",
    )


def machine_row() -> tuple[str, str]:
    """The machine and how busy it is: figures from a busy machine compare only within a run."""
    load_now = os.getloadavg()[0]
    busy = " (busy with other work: compare the rows, not runs)" if load_now > 1 else ""
    return ("machine", f"{os.cpu_count()} cores, load average {load_now:.1f} at the start{busy}")


def run() -> list[tuple[str, str]]:
    bin_dir = binaries()
    if bin_dir is None or not proxy.installed():
        return [("scale-out", "skipped: needs Debian's postgresql and nginx (.ci/run installs them)")]
    rows = [machine_row()]
    rows.append(("load", f"{CLIENTS} clients, each its own XOR run, {STEPS} single steps back to back"))
    with tempfile.TemporaryDirectory() as tmp:
        single = Server(Path(tmp) / "bench.sqlite3").start()
        try:
            rows.append(measure("1 replica, SQLite", single.url, [single.process.pid]))
        finally:
            single.stop()

    cluster = Cluster(bin_dir).start()
    try:
        url = cluster.new_database()
        replicas = start_replicas(url)
        nginx = proxy.Nginx([r.port for r in replicas]).start()
        try:
            pids = [r.process.pid for r in replicas] + [nginx.process.pid]
            postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
            rows.append(measure("nginx, 2 replicas, PostgreSQL", nginx.url, pids, (postmaster,)))
        finally:
            nginx.stop()
            for replica in replicas:
                replica.stop()
    finally:
        cluster.stop()
    return rows
