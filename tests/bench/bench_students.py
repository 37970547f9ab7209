"""Students through a lesson on one server (issue #15's classroom): simulated students on
loopback, each doing what the page does — load the page, create a run, play 10 s, click
Step 5 times — arriving over a few seconds as a class opening a link does, and all in the
same instant as the worst case. (bench_classroom.py measures other crowds: stepping as fast
as answers come, clicking once a second, leaving mid-stream.)

What a student does is not written here by hand: it is recorded from the page itself.
Chromium opens the lesson once on the same server, plays, pauses and clicks Step, and every
request it makes is kept with when it started and ended (`record`). Each simulated student
then replays that script with aiohttp on its own run: the same URLs, bodies and stream
parameters, each request sent once the requests it waited for in the browser have answered,
the plots' requests repeated every half second while the stream plays (as the page's
flush does). So when the page changes what it asks for, this benchmark follows.

Per scenario and number of server workers: bytes per student (as sent, headers included),
how long a student waits from the page's first request to the stream's opening (ready to
play), frames a second per student while playing (min / p50), p50 / p99 of each kind of request and
of the API's requests in each phase (the page's load, playing, the pause and Step clicks),
CPU seconds of the server and of the load generators (several processes, so one event loop
is not the bottleneck it measures), errors, and the machine's load average; and the server's
CPU per frame while every student plays, per request of the page's load and per request of the
pause and Step clicks (`phases`). The machine
may be shared: read the figures beside the CPU they cost, and compare runs made together.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tests.bench.bench_scale import percentile
from tests.support import ROOT, Server

PLAY_SECONDS = 10.0
STEPS = 5
PLOT_FLUSH_SECONDS = 0.5  # while playing, the page's plots catch up this often (static/js/catchup.js)
# lesson, students, the seconds over which they arrive. A class opening the link the teacher
# gave arrives over a few seconds (each student evenly spaced in them); "all in the same
# instant" (0 s) is the worst case, whose load phase is one burst of every student's opening:
# its p99 is bounded below by the burst's server CPU over the cores (the closing notes).
SCENARIOS = [("xor", 100, 5.0), ("digits", 30, 5.0), ("xor", 100, 0.0)]
WORKERS = (2, 1)
STUDENTS_PER_GENERATOR = 50  # one aiohttp process keeps up with this many students' streams
BROWSER_CONNECTIONS = 6  # per host, as Chromium (HTTP/1.1)
NOT_API = ("asset", "page", "frame gap")  # what the API rows leave out: files, the page, the stream
EXTRAS_STEP = re.compile(rb'data: \{"step":(\d+)')


@dataclass
class Call:
    """One request the page made: its path with {run}, {step} and {since} for what differs per
    student, and the requests (by index in its group) that had answered when it was sent."""

    method: str
    path: str
    body: str | None = None
    after: list[int] = field(default_factory=list)

    @property
    def kind(self) -> str:
        path = self.path.split("?")[0]
        if path.startswith("/static/"):
            return "asset"
        if path == "/":
            return "page"
        if path == "/api/v1/runs":
            return "create"
        name = path.rstrip("/").rsplit("/", 1)[-1]
        return "history_since" if name == "history" and "since=" in self.path else name


@dataclass
class Script:
    """What one student's page did: load, the stream and the plots' requests while it
    played, the pause, and one Step click."""

    lesson: str
    load: list[Call]
    stream: str
    tick: list[Call]
    settle: list[Call]
    step: list[Call]


# -- recording the page ---------------------------------------------------------------------------


def template(url: str, base: str, run_id: str | None) -> str:
    path = url.removeprefix(base)
    if run_id:
        path = path.replace(run_id, "{run}")
    path = re.sub(r"(?<=[?&])step=\d+", "step={step}", path)
    return re.sub(r"(?<=[?&])since=\d+", "since={since}", path)


def group(requests: list[dict], base: str, run_id: str | None) -> list[Call]:
    """Requests in the order sent; each waits for those that had ended before it started."""
    requests = sorted(requests, key=lambda r: r["start"])
    calls: list[Call] = []
    for i, r in enumerate(requests):
        after = [j for j in range(i) if requests[j]["end"] <= r["start"]]
        path = template(r["url"], base, run_id)
        # A request about the run waits for its creation whatever the timings said.
        after += [j for j, c in enumerate(calls) if c.kind == "create" and "{run}" in path and j not in after]
        calls.append(Call(r["method"], path, r["body"], sorted(after)))
    return calls


def record(base: str, lesson: str) -> Script:
    """Open the lesson in Chromium, play 3 s, pause, click Step twice; keep every request."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import ARGS, CHROMIUM, TEST_HOOK

    idle = "window.__bpx && window.__bpx.rendered > 0 && window.__bpx.busy === 0 && !window.__bpx.sidePending"
    seen: list = []
    marks: dict[str, float] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 720}, bypass_csp=True)
        page = context.new_page()
        page.add_init_script(TEST_HOOK)  # only so that the recording knows when the page is idle
        page.on("request", lambda request: seen.append(request))

        def act(mark: str, action) -> None:
            marks[mark] = time.time() * 1000
            action()
            page.wait_for_function(idle, timeout=120_000)
            page.wait_for_timeout(1000)

        act("load", lambda: page.goto(f"{base}/?preset={lesson}"))
        marks["play"] = time.time() * 1000
        page.click("#btn-play")
        page.wait_for_timeout(3000)
        act("settle", lambda: page.click("#btn-play"))
        act("step1", lambda: page.click("#btn-step"))
        act("step2", lambda: page.click("#btn-step"))
        marks["end"] = time.time() * 1000
        created = [r for r in seen if r.method == "POST" and r.url == f"{base}/api/v1/runs"]
        assert len(created) == 1, f"the page created {len(created)} runs"
        run_id = json.loads(created[0].response().body())["id"]
        requests = []
        for request in seen:
            timing = request.timing
            start = timing["startTime"]
            end = start + timing["responseEnd"] if timing["responseEnd"] >= 0 else math.inf
            body = request.post_data
            requests.append(
                {"method": request.method, "url": request.url, "body": body, "start": start, "end": end}
            )
        browser.close()

    def between(a: str, b: str) -> list[dict]:
        return [r for r in requests if marks[a] <= r["start"] < marks[b]]

    playing = between("play", "settle")
    streams = [r for r in playing if "/stream" in r["url"]]
    assert len(streams) == 1, f"the page opened {len(streams)} streams"
    ticks: dict[int, list[dict]] = defaultdict(list)
    for r in playing:
        if r is not streams[0]:
            ticks[int((r["start"] - marks["play"]) / (PLOT_FLUSH_SECONDS * 1000))].append(r)
    signature = {
        k: tuple(sorted((r["method"], template(r["url"], base, run_id)) for r in v)) for k, v in ticks.items()
    }
    common = max(set(signature.values()), key=list(signature.values()).count) if signature else ()
    tick = next((v for k, v in sorted(ticks.items()) if signature[k] == common), [])
    return Script(
        lesson=lesson,
        load=group(between("load", "play"), base, run_id),
        stream=template(streams[0]["url"], base, run_id),
        tick=group(tick, base, run_id),
        settle=group(between("settle", "step1"), base, run_id),
        step=group(between("step2", "end"), base, run_id),
    )


# -- one student -----------------------------------------------------------------------------------


# BPX_BENCH_DISTINCT=1: each student's run has a seed of its own, so no two runs share a
# config and nothing they compute is shared (app/timelines.py): the class at its costliest.
DISTINCT = os.environ.get("BPX_BENCH_DISTINCT") == "1"
DISTINCT_SEEDS = itertools.count(os.getpid() * 1000)  # each generator process its own


class Student:
    def __init__(self, session, base: str, script: Script, times: dict[str, list[float]], arrives: float):
        self.session, self.base, self.script, self.times = session, base, script, times
        self.arrives = arrives  # seconds after the class starts
        self.subs = {"{run}": "", "{step}": "0", "{since}": "0"}
        self.bytes = 0
        self.frames = 0
        self.errors: list[str] = []
        # Wall-clock times (shared by the generator processes): the phases' server CPU is read
        # between them (classroom: `phases`).
        self.frame_times: list[float] = []
        self.played: tuple[float, float] = (math.nan, math.nan)
        self.calls: list[tuple[float, float]] = []
        # What the student is doing (load, playing, clicks): the API's times are also kept per
        # phase, as a page's load, the plots' catch-up while playing and a click differ in cost.
        self.phase = "load"

    def path(self, call: Call) -> str:
        path = call.path
        for key, value in self.subs.items():
            path = path.replace(key, value)
        return path

    async def call(self, call: Call) -> None:
        start = time.perf_counter()
        headers = {"content-type": "application/json"} if call.body is not None else None
        data = call.body.encode() if call.body is not None else None
        if call.kind == "create" and DISTINCT:  # a class whose every student changed a setting
            data = json.dumps({**json.loads(call.body), "seed": next(DISTINCT_SEEDS)}).encode()
        path = self.path(call)
        try:
            async with self.session.request(call.method, self.base + path, data=data, headers=headers) as r:
                body = await r.read()
                self.bytes += len(body) + sum(len(k) + len(v) + 4 for k, v in r.raw_headers)
                if r.status >= 400:
                    self.errors.append(f"{call.kind} {r.status} {path[:90]} {body[:120]!r}")
                    return
                if call.kind == "create":
                    self.subs["{run}"] = json.loads(body)["id"]
        except Exception as error:  # noqa: BLE001 - a benchmark counts what went wrong, and goes on
            self.errors.append(f"{call.kind} {type(error).__name__}: {error}")
            return
        took = time.perf_counter() - start
        self.times[call.kind].append(took)
        if call.kind not in NOT_API:
            self.times[f"API {self.phase}"].append(took)
        self.calls.append((time.time() - (time.perf_counter() - start), time.time()))

    async def group(self, calls: list[Call]) -> None:
        """The group's requests as the page sent them: each once those it waited for answered."""
        done = [asyncio.Event() for _ in calls]

        async def one(i: int, call: Call) -> None:
            try:
                for j in call.after:
                    await done[j].wait()
                await self.call(call)
            finally:
                done[i].set()

        await asyncio.gather(*(one(i, c) for i, c in enumerate(calls)))

    async def play(self) -> None:
        """The stream for PLAY_SECONDS, and the plots' requests every half second meanwhile."""
        ticks = []
        start = time.perf_counter()
        last = start
        opened = time.time()
        try:
            async with self.session.get(self.base + self.path(Call("GET", self.script.stream))) as r:
                if r.status >= 400:
                    self.errors.append(f"stream {r.status}")
                    return
                next_tick = start + PLOT_FLUSH_SECONDS
                extras_step = None  # the step of the last extras event, whose history rows the page keeps
                event = b""
                async for line in r.content:
                    self.bytes += len(line)
                    now = time.perf_counter()
                    if line.startswith(b"event: "):
                        event = line[7:].strip()
                    elif event == b"extras" and line.startswith(b"data: "):
                        extras_step = EXTRAS_STEP.match(line).group(1).decode()
                    if line.startswith(b"id: "):
                        self.frames += 1
                        self.frame_times.append(time.time())
                        self.times["frame gap"].append(now - last)
                        last = now
                        self.subs["{step}"] = line[4:].decode().strip()
                        if self.subs["{step}"] == extras_step and "since=" in self.script.stream:
                            self.subs["{since}"] = extras_step  # the page's history now ends there
                    if now >= next_tick and self.script.tick:
                        ticks.append(asyncio.ensure_future(self.group(self.script.tick)))
                        next_tick += PLOT_FLUSH_SECONDS
                    if now - start > PLAY_SECONDS:
                        break
        except Exception as error:  # noqa: BLE001
            self.errors.append(f"stream {type(error).__name__}: {error}")
        self.played = (opened, time.time())
        await asyncio.gather(*ticks)

    async def lesson(self) -> None:
        await asyncio.sleep(self.arrives)
        await self.group(self.script.load)
        self.phase = "playing"
        await self.play()
        self.phase = "clicks"
        await self.group(self.script.settle)
        self.subs["{since}"] = self.subs["{step}"]
        for _ in range(STEPS):
            await self.group(self.script.step)
            step = int(self.subs["{step}"]) + 1
            self.subs["{step}"] = self.subs["{since}"] = str(step)


async def crowd(base: str, script: Script, arrivals: list[float]) -> dict:
    import aiohttp

    times: dict[str, list[float]] = defaultdict(list)
    headers = {"accept-encoding": "gzip, deflate, br"}  # as a browser; bytes are counted as sent
    sessions = [
        aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=BROWSER_CONNECTIONS),
            headers=headers,
            auto_decompress=False,
            timeout=aiohttp.ClientTimeout(total=None, sock_read=120),
        )
        for _ in arrivals
    ]
    crowd = [Student(s, base, script, times, t) for s, t in zip(sessions, arrivals, strict=True)]
    try:
        await asyncio.gather(*(s.lesson() for s in crowd))
    finally:
        for s in sessions:
            await s.close()
    return {
        "students": [
            {
                "bytes": s.bytes,
                "frames": s.frames,
                "errors": s.errors,
                "frame_times": s.frame_times,
                "played": s.played,
                "calls": s.calls,
            }
            for s in crowd
        ],
        "times": times,
    }


def generator_main(script_file: str, base: str, arrivals: str) -> None:
    """A load generator process: its share of the students (when each arrives, comma-separated
    seconds); prints what it measured as JSON."""
    raw = json.loads(Path(script_file).read_text())
    script = Script(**{k: ([Call(**c) for c in v] if isinstance(v, list) else v) for k, v in raw.items()})
    cpu = time.process_time()
    out = asyncio.run(crowd(base, script, [float(t) for t in arrivals.split(",")]))
    out["cpu"] = time.process_time() - cpu
    print(json.dumps(out))


# -- the scenarios ---------------------------------------------------------------------------------


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


def classroom(server: Server, script: Script, students: int, arrival: float, tmp: Path) -> dict:
    """The students, arriving evenly over `arrival` seconds (0: all at once), spread over
    generator processes (each its share of every moment); what they measured, merged."""
    script_file = tmp / f"{script.lesson}.json"
    script_file.write_text(json.dumps(asdict(script)))
    n_gen = max(1, math.ceil(students / STUDENTS_PER_GENERATOR))
    arrivals = [arrival * i / students for i in range(students)]
    shares = [arrivals[g::n_gen] for g in range(n_gen)]
    load_before = os.getloadavg()[0]
    timeline: list[tuple[float, float]] = []  # (wall time, server CPU seconds), every SAMPLE_SECONDS
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.wait(SAMPLE_SECONDS):
            timeline.append((time.time(), tree_cpu(server.process.pid)))

    timeline.append((time.time(), tree_cpu(server.process.pid)))
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    server_cpu, wall = tree_cpu(server.process.pid), time.perf_counter()
    generators = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.bench.bench_students",
                "--generator",
                str(script_file),
                server.url,
                ",".join(f"{t:.4f}" for t in share),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
        )
        for share in shares
    ]
    outs = [json.loads(g.communicate()[0]) for g in generators]
    server_cpu, wall = tree_cpu(server.process.pid) - server_cpu, time.perf_counter() - wall
    sampling.set()
    sampler.join()
    timeline.append((time.time(), tree_cpu(server.process.pid)))
    times: dict[str, list[float]] = defaultdict(list)
    for out in outs:
        for kind, values in out["times"].items():
            times[kind] += values
    return {
        "students": [s for out in outs for s in out["students"]],
        "times": times,
        "server_cpu": server_cpu,
        "generator_cpu": [out["cpu"] for out in outs],
        "wall": wall,
        "load": (load_before, os.getloadavg()[0]),
        "phases": phases([s for out in outs for s in out["students"]], timeline),
    }


SAMPLE_SECONDS = 0.1


def cpu_between(timeline: list[tuple[float, float]], start: float, end: float) -> float:
    """Server CPU seconds from `start` to `end` (wall times), read off the sampled timeline."""
    times = [t for t, _ in timeline]

    def at(t: float) -> float:
        i = min(max(bisect.bisect_left(times, t), 1), len(times) - 1)
        (t0, c0), (t1, c1) = timeline[i - 1], timeline[i]
        return c0 + (c1 - c0) * min(max((t - t0) / (t1 - t0), 0.0), 1.0) if t1 > t0 else c1

    return at(end) - at(start) if end > start else math.nan


def phases(students: list[dict], timeline: list[tuple[float, float]]) -> dict[str, tuple[float, int, float]]:
    """The server's CPU per unit of each phase: per frame while (nearly) every student plays,
    per request before any stream opened (the page's load) and after every stream closed
    (pause and Step clicks). Rates alone move with whatever else the machine runs; CPU per
    frame and per request much less. Each: (CPU seconds, frames or requests, seconds)."""
    opened = [s["played"][0] for s in students]
    closed = [s["played"][1] for s in students]
    windows = {
        "load request": (min(c[0] for s in students for c in s["calls"]), min(opened)),
        "Step-phase request": (max(closed), max(c[1] for s in students for c in s["calls"])),
    }
    out = {}
    cpu, frames, seconds = 0.0, 0, 0.0
    for start, end in playing(opened, closed, PLAYING_SHARE):
        cpu += cpu_between(timeline, start, end)
        frames += sum(start <= t < end for s in students for t in s["frame_times"])
        seconds += end - start
    out["frame"] = (cpu, frames, seconds)
    for name, (start, end) in windows.items():  # requests answered in the window
        count = sum(start <= c[1] <= end for s in students for c in s["calls"])
        out[name] = (cpu_between(timeline, start, end), count, end - start)
    return out


PLAYING_SHARE = 0.9  # a busy machine spreads a class's start over seconds: all play together rarely


def playing(opened: list[float], closed: list[float], share: float) -> list[tuple[float, float]]:
    """The stretches of time when at least `share` of the streams were open (the first second of
    each stream left out: it opens while its page still loads)."""
    events = sorted([(t + 1.0, 1) for t in opened] + [(t, -1) for t in closed])
    need, count, since, out = math.ceil(share * len(opened)), 0, None, []
    for t, change in events:
        count += change
        if count >= need and since is None:
            since = t
        elif count < need and since is not None:
            if t > since:
                out.append((since, t))
            since = None
    return out


def rows_of(lesson: str, students: int, arrival: float, workers: int, out: dict) -> list[tuple[str, str]]:
    crowd, times, wall = out["students"], out["times"], out["wall"]
    fps = sorted(s["frames"] / PLAY_SECONDS for s in crowd)
    errors = [e for s in crowd for e in s["errors"]]
    generators = ", ".join(f"{c:.0f} s ({100 * c / wall:.0f}%)" for c in out["generator_cpu"])
    api = [
        v
        for kind, values in times.items()
        if kind not in NOT_API and not kind.startswith("API ")
        for v in values
    ]
    rows = [
        (
            f"{lesson} ×{students} {f'over {arrival:g} s' if arrival else 'at once'}, "
            f"{workers} worker{'s' if workers > 1 else ''}",
            f"frames/s/student min {fps[0]:.1f} p50 {statistics.median(fps):.1f}; "
            f"API p50 {1000 * percentile(api, 0.5):.0f} ms p99 {1000 * percentile(api, 0.99):.0f} ms; "
            f"{statistics.mean(s['bytes'] for s in crowd) / 1e6:.2f} MB/student; "
            f"server CPU {out['server_cpu']:.0f} s ({100 * out['server_cpu'] / wall:.0f}% of a core), "
            f"generators {generators}; wall {wall:.0f} s; errors {len(errors)}; "
            f"load average {out['load'][0]:.1f} → {out['load'][1]:.1f}",
        )
    ]
    costs = [
        f"{1e6 * cpu / n:.0f} µs a {name} ({n} in {seconds:.1f} s)"
        for name, (cpu, n, seconds) in out["phases"].items()
        if n > 0 and seconds > 0
    ]
    rows.append(("  server CPU", "; ".join(costs)))
    # What a student waits for: from the page's first request to the stream's opening (the
    # page, its files, the run, its first State), every request of the load in it.
    ready = sorted(s["played"][0] - min(c[0] for c in s["calls"]) for s in crowd)
    rows.append(
        (
            "  ready to play",
            f"p50 {1000 * percentile(ready, 0.5):.0f} ms, p90 {1000 * percentile(ready, 0.9):.0f} ms, "
            f"max {1000 * ready[-1]:.0f} ms",
        )
    )
    for kind, values in sorted(times.items()):
        rows.append(
            (
                f"  {kind}",
                f"n={len(values)} p50 {1000 * percentile(values, 0.5):.0f} ms, "
                f"p99 {1000 * percentile(values, 0.99):.0f} ms",
            )
        )
    for error in sorted(set(errors))[:5]:
        rows.append(("  error", f"{errors.count(error)}× {error}"))
    return rows


def run(scenarios=SCENARIOS, workers=WORKERS) -> Iterator[tuple[str, str]]:
    """The rows, each as soon as it is measured (a full run takes minutes)."""
    yield ("machine", f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    scripts: dict[str, Script] = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for w in workers:
            for lesson, students, arrival in scenarios:
                server = Server(tmp / f"{lesson}-{w}.sqlite3", workers=w).start()
                # The server's output is read as it comes: a full pipe would stop the server
                # at its next log line (an error's traceback) and look like a slow server.
                log: list[bytes] = []
                threading.Thread(target=log.extend, args=(server.process.stdout,), daemon=True).start()
                try:
                    if lesson not in scripts:
                        scripts[lesson] = record(server.url, lesson)
                        s = scripts[lesson]
                        yield (
                            f"{lesson}: the page's script",
                            f"load {len(s.load)} requests, stream {s.stream.split('?')[1]}, "
                            f"every {PLOT_FLUSH_SECONDS} s while playing {len(s.tick)}, "
                            f"pause {len(s.settle)}, Step {len(s.step)} ({', '.join(c.kind for c in s.step)})",
                        )
                    out = classroom(server, scripts[lesson], students, arrival, tmp)
                    yield from rows_of(lesson, students, arrival, w, out)
                finally:
                    server.stop()
                failures = [line for line in log if b"unhandled error" in line]
                if failures:
                    yield ("  server errors", f"{len(failures)}, first: {failures[0].decode().strip()[:150]}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    if sys.argv[1:2] == ["--generator"]:
        generator_main(sys.argv[2], sys.argv[3], sys.argv[4])
        sys.exit()
    # e.g. `python -m tests.bench.bench_students xor 100 2 5`: lesson, class size, workers,
    # the seconds over which the class arrives
    arrive = float(sys.argv[4]) if len(sys.argv) > 4 else SCENARIOS[0][2]
    chosen = [(sys.argv[1], int(sys.argv[2]), arrive)] if len(sys.argv) > 2 else SCENARIOS
    chosen_workers = tuple(int(w) for w in sys.argv[3].split(",")) if len(sys.argv) > 3 else WORKERS
    for label, figure in run(chosen, chosen_workers):
        print(f"{label:<34} {figure}", flush=True)
