"""Students through a lesson on one server (issue #15's classroom): simulated students on
loopback, each doing what the page does — load the page's assets, create a run, play 10 s,
click Step 5 times — all at once. (bench_classroom.py measures other crowds: all arriving at
once, clicking once a second, leaving mid-stream.)

Per scenario: bytes per student (as sent), frames a second per student while playing, p50 /
p99 of each kind of request, and CPU seconds of the server (BPX_WORKERS=2) and of this load
generator (aiohttp: one event loop, so it is not the bottleneck it measures). The machine may
be shared: read the figures beside the CPU they cost, and compare runs made together.
"""

from __future__ import annotations

import asyncio
import gzip
import os
import re
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from tests.bench.bench_scale import percentile
from tests.support import Server

PLAY_SECONDS = 10.0
STEPS = 5
STREAM_RATE = 40  # as the page asks (static/js/main.js)
BIG_FIELDS = (  # what the page asks for while a big net plays (static/js/main.js)
    "step,epoch,lr,loss,penalty,diverged,grad_norm,clipped,metrics,batch,layers.activation,"
    "layers.a,layers.delta,layers.grad_norm,layers.W,layers.dW"
)
SCENARIOS = [("xor", 100, False), ("digits", 30, True)]  # preset, students, big net (compact frames)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children that have exited, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_cpu(pid: int) -> float:
    """CPU of the server and its live workers."""
    total = cpu_seconds(pid)
    for child in Path(f"/proc/{pid}/task").iterdir():
        children = child / "children"
        if children.exists():
            for c in children.read_text().split():
                try:
                    total += tree_cpu(int(c))
                except FileNotFoundError:
                    pass
    return total


async def text_of(response) -> str:
    """A response's text; this session leaves bodies as sent (compressed), to count them so."""
    body = await response.read()
    if response.headers.get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode("utf-8", "replace")


async def assets(session, base: str) -> list[str]:
    """The page's static files: those the HTML names, the module graph of main.js, and the
    files the scripts load by path (the language catalogue, plotly)."""
    async with session.get(base + "/") as r:
        html = await text_of(r)
    todo = re.findall(r'(?:src|href)="(/static/[^"?]+)', html)
    seen: list[str] = []
    root = ""
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.append(path)
        if path.endswith(".js"):
            async with session.get(base + path) as r:
                text = await text_of(r)
            folder = path.rsplit("/", 1)[0]
            root = folder.rsplit("/", 1)[0]  # the static prefix (hashed per version)
            todo += [f"{folder}/{m}" for m in re.findall(r'from "\./([^"]+)"', text)]
            todo += [f"{root}/{m}" for m in re.findall(r'"\.\./((?:vendor|i18n)/[^"$]+\.(?:js|json))"', text)]
    return seen + [f"{root}/i18n/en.json"]


class Student:
    def __init__(self, session, base: str, preset: str, big: bool, times: dict[str, list[float]]):
        self.session, self.base, self.preset, self.big, self.times = session, base, preset, big, times
        self.bytes = 0
        self.frames = 0

    async def call(self, kind: str, method: str, path: str, **kw) -> bytes:
        start = time.perf_counter()
        async with self.session.request(method, self.base + path, **kw) as r:
            body = await r.read()
            assert r.status < 400, (path, r.status, body[:200])
        self.times[kind].append(time.perf_counter() - start)
        self.bytes += len(body) + sum(len(k) + len(v) + 4 for k, v in r.raw_headers)
        return body

    async def lesson(self, asset_paths: list[str]) -> None:
        for path in asset_paths:
            await self.call("asset", "GET", path)
        await self.call("meta", "GET", "/api/v1/meta")
        import orjson

        run = orjson.loads(await self.call("create", "POST", "/api/v1/runs", json={"preset": self.preset}))
        runs = f"/api/v1/runs/{run['id']}"
        rest = {"format": "compact"} if self.big else {}
        await self.call("data", "GET", f"{runs}/data", params={"count": 1 if self.big else 2000})
        await self.call("state", "GET", f"{runs}/state", params=rest)
        await self.call("history", "GET", f"{runs}/history")
        play = {"rate": STREAM_RATE, "steps_per_frame": 1}
        if self.big:
            play |= {"fields": BIG_FIELDS, "format": "compact"}
        start = time.perf_counter()
        async with self.session.get(f"{self.base}{runs}/stream", params=play) as r:
            async for line in r.content:
                self.bytes += len(line)
                if line.startswith(b"id: "):
                    self.frames += 1
                    self.times["frame"].append(time.perf_counter() - start)
                if time.perf_counter() - start > PLAY_SECONDS:
                    break
        step = orjson.loads(await self.call("pause", "POST", f"{runs}/pause", params={"fields": "step"}))[
            "step"
        ]
        for _ in range(STEPS):
            await self.call("step", "POST", f"{runs}/step", json={"steps": 1}, params=rest)
            await self.call("history_since", "GET", f"{runs}/history", params={"since": step})
            step += 1
            await self.call("preview", "GET", f"{runs}/preview", params={"points": 41, "until": 2})


async def classroom(base: str, preset: str, students: int, big: bool) -> dict:
    import aiohttp

    times: dict[str, list[float]] = defaultdict(list)
    headers = {"accept-encoding": "gzip, br"}  # as a browser; bytes are counted as sent
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(
        connector=connector, headers=headers, auto_decompress=False, timeout=aiohttp.ClientTimeout(total=600)
    ) as session:
        paths = await assets(session, base)
        crowd = [Student(session, base, preset, big, times) for _ in range(students)]
        await asyncio.gather(*(s.lesson(paths) for s in crowd))
    return {"students": crowd, "times": times, "assets": len(paths)}


def run() -> list[tuple[str, str]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(Path(tmp) / "bench.sqlite3", workers=2).start()
        try:
            for preset, students, big in SCENARIOS:
                server_cpu, own_cpu, wall = (
                    tree_cpu(server.process.pid),
                    time.process_time(),
                    time.perf_counter(),
                )
                out = asyncio.run(classroom(server.url, preset, students, big))
                server_cpu = tree_cpu(server.process.pid) - server_cpu
                own_cpu, wall = time.process_time() - own_cpu, time.perf_counter() - wall
                crowd, times = out["students"], out["times"]
                fps = [s.frames / PLAY_SECONDS for s in crowd]
                rows.append(
                    (
                        f"students {preset} ×{students}",
                        f"{statistics.mean(s.bytes for s in crowd) / 1e6:.2f} MB/student ({out['assets']} assets), "
                        f"{statistics.median(fps):.1f} frames/s/student (min {min(fps):.1f}); "
                        f"server CPU {server_cpu:.0f} s, load generator CPU {own_cpu:.0f} s, wall {wall:.0f} s",
                    )
                )
                for kind, values in sorted(times.items()):
                    if kind == "frame":
                        continue
                    rows.append(
                        (
                            f"  {preset} {kind}",
                            f"n={len(values)} p50 {1000 * percentile(values, 0.5):.0f} ms, "
                            f"p99 {1000 * percentile(values, 0.99):.0f} ms",
                        )
                    )
        finally:
            server.stop()
    return rows


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    if len(sys.argv) > 1:  # e.g. `python -m tests.bench.bench_students xor 5`: a smaller class
        SCENARIOS = [(sys.argv[1], int(sys.argv[2]), sys.argv[1] == "digits")]
    for label, figure in run():
        print(f"{label:<28} {figure}")
