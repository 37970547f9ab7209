"""Helpers shared by the API and browser tests: a real server process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`python -m app` in a subprocess, as a user runs it."""

    def __init__(
        self, db: Path, workers: int = 1, port: int | None = None, env: dict[str, str] | None = None
    ):
        self.db, self.workers, self.extra_env = db, workers, env or {}
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> Server:
        env = {
            **os.environ,
            "BPX_DB": str(self.db),
            "BPX_PORT": str(self.port),
            "BPX_WORKERS": str(self.workers),
            **self.extra_env,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60  # a busy machine imports slowly
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.process.stdout.read().decode()}")
            try:
                if httpx.get(self.url + "/api/v1/meta", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()  # not left running behind a failed test
        raise RuntimeError("server did not start in 60 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_replicas(db: Path | str, n: int = 2) -> list[Server]:
    """n servers on one store (replicas), started at once; if one fails, none is left running."""
    from concurrent.futures import ThreadPoolExecutor

    servers = [Server(db) for _ in range(n)]  # type: ignore[arg-type]
    try:
        with ThreadPoolExecutor(n) as pool:
            list(pool.map(Server.start, servers))
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return servers


def stream_states(base: str, run_id: str, timeout: float = 30, **params) -> list[dict]:
    """Every State a run's live stream sends (GET /runs/{id}/stream with `params`), in order."""
    states = []
    with httpx.stream(
        "GET", f"{base}/api/v1/runs/{run_id}/stream", params=params, timeout=timeout
    ) as response:
        for line in response.iter_lines():
            if line.startswith('data: {"step"'):
                states.append(orjson.loads(line[6:]))
    return states
