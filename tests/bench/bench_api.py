"""Server benchmark against a real `python -m app` on loopback.

Streams (states/s to one client), GET /state on a cached run, a snapshot 10,000 steps
deep with nothing cached, and 50 concurrent clients each stepping their own XOR run.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.bench.bench_scale import percentile
from tests.support import Server

DIGIT_FIELDS = (
    "step,epoch,lr,loss,penalty,diverged,grad_norm,clipped,metrics,batch,layers.activation,layers.W,"
    "layers.b,layers.dW,layers.db,layers.dW_applied,layers.a,layers.z,layers.delta,layers.dL_da,"
    "layers.grad_norm"
)


def stream_rate(url: str, preset: str, frames: int, **params) -> tuple[float, float]:
    run_id = httpx.post(f"{url}/api/v1/runs", json={"preset": preset}).json()["id"]
    start = time.perf_counter()
    count, size = 0, 0
    with httpx.stream(
        "GET",
        f"{url}/api/v1/runs/{run_id}/stream",
        timeout=120,
        params={"rate": 1e9, "max_frames": frames, **params},
    ) as response:
        for line in response.iter_lines():
            if line.startswith('data: {"step"'):
                count += 1
                size += len(line)
    elapsed = time.perf_counter() - start
    return count / elapsed, size / max(count, 1)


def run() -> list[tuple[str, str]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(Path(tmp) / "bench.sqlite3", env={"BPX_MAX_STREAM_RATE": "100000"})
        server.start()
        try:
            url = server.url
            # the stream's rate cap (BPX_MAX_STREAM_RATE, 120/s by default) is lifted to measure the ceiling
            rate, size = stream_rate(url, "xor", 2000)
            rows.append(("stream XOR, full state", f"{rate:.0f} states/s, {size / 1000:.1f} kB each"))
            rate, size = stream_rate(url, "digits", 200, fields=DIGIT_FIELDS, digits=6)
            rows.append(("stream digits, page fields", f"{rate:.0f} states/s, {size / 1000:.0f} kB each"))

            run_id = httpx.post(f"{url}/api/v1/runs", json={"preset": "xor"}).json()["id"]
            with httpx.Client(base_url=url) as http:
                http.get(f"/api/v1/runs/{run_id}/state")
                times = []
                for _ in range(300):
                    start = time.perf_counter()
                    http.get(f"/api/v1/runs/{run_id}/state")
                    times.append((time.perf_counter() - start) * 1000)
                rows.append(
                    (
                        "GET /state, cached XOR",
                        f"p50 {statistics.median(times):.2f} ms, p99 {percentile(times, 0.99):.2f} ms",
                    )
                )
                start = time.perf_counter()
                assert http.get("/api/v1/snapshot?preset=xor&seed=99&step=10000").status_code == 200
                rows.append(("snapshot 10,000 deep, cold", f"{(time.perf_counter() - start) * 1000:.0f} ms"))
                start = time.perf_counter()
                response = http.post("/api/v1/runs", json={"preset": "digits"}).json()
                http.post(
                    f"/api/v1/runs/{response['id']}/step",
                    json={"steps": 2000},
                    params={"fields": "step"},
                    timeout=60,
                )
                rows.append(
                    (
                        "digits: 2,000-step forward",
                        f"{(time.perf_counter() - start) * 1000:.0f} ms (create + step, one request)",
                    )
                )

            def client(_: int) -> tuple[list[float], int]:
                latencies, errors = [], 0
                with httpx.Client(base_url=url, timeout=60) as http:
                    rid = http.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
                    for _ in range(20):
                        start = time.perf_counter()
                        r = http.post(f"/api/v1/runs/{rid}/step", json={"steps": 1})
                        latencies.append((time.perf_counter() - start) * 1000)
                        errors += r.status_code != 200
                return latencies, errors

            with ThreadPoolExecutor(50) as pool:
                results = list(pool.map(client, range(50)))
            latencies = [t for lat, _ in results for t in lat]
            errors = sum(e for _, e in results)
            rows.append(
                (
                    "50 clients stepping XOR",
                    f"{len(latencies)} requests, {errors} errors, "
                    f"p50 {statistics.median(latencies):.1f} ms, p99 {percentile(latencies, 0.99):.1f} ms",
                )
            )
        finally:
            server.stop()
    return rows
