"""Real uvicorn processes on loopback: stream, restart, two workers."""

from __future__ import annotations

import httpx
import pytest

from tests.support import stream_states

pytestmark = pytest.mark.slow


def test_stream_over_real_http(server_factory):
    server = server_factory()
    run_id = httpx.post(server.url + "/api/v1/runs", json={"preset": "xor"}).json()["id"]
    states = stream_states(server.url, run_id, rate=100, max_frames=20, fields="step,loss")
    assert len(states) == 20 and [s["step"] for s in states] == sorted(s["step"] for s in states)


def test_restart_keeps_runs_exact(server_factory, tmp_path):
    db = tmp_path / "restart.sqlite3"
    first = server_factory(db=db)
    run_id = httpx.post(first.url + "/api/v1/runs", json={"preset": "minibatch"}).json()["id"]
    httpx.post(f"{first.url}/api/v1/runs/{run_id}/step", json={"steps": 777})
    before = httpx.get(f"{first.url}/api/v1/runs/{run_id}/state").content
    first.stop()
    second = server_factory(db=db, port=first.port)
    after = httpx.get(f"{second.url}/api/v1/runs/{run_id}/state")
    assert after.status_code == 200 and after.content == before


def test_two_workers_agree(server_factory):
    server = server_factory(workers=2)
    with httpx.Client(base_url=server.url, timeout=30) as http:
        run_id = http.post("/api/v1/runs", json={"preset": "adam"}).json()["id"]
        steps = 0
        for n in (5, 11, 1, 30, 7, 2, 9, 13):  # new connections land on either worker
            with httpx.Client(base_url=server.url, timeout=30) as fresh:
                state = fresh.post(
                    f"/api/v1/runs/{run_id}/step", json={"steps": n}, params={"fields": "step"}
                )
                steps += n
                assert state.json()["step"] == steps
        answers = set()
        for _ in range(12):
            with httpx.Client(base_url=server.url, timeout=30) as fresh:
                answers.add(fresh.get(f"/api/v1/runs/{run_id}/state").content)
                answers.add(fresh.get(f"/api/v1/snapshot?preset=adam&step={steps}").content)
        assert len(answers) == 1


def test_corrupt_database_stops_startup_with_its_name(tmp_path):
    import subprocess
    import sys

    from tests.support import ROOT

    db = tmp_path / "broken.sqlite3"
    db.write_bytes(b"this is not a database, and must not be wiped" * 100)
    result = subprocess.run(
        [sys.executable, "-m", "app"],
        cwd=ROOT,
        env={"BPX_DB": str(db), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and str(db) in result.stderr
    assert db.read_bytes().startswith(b"this is not a database")


def test_short_links_and_saved_runs_survive_a_restart(server_factory, tmp_path):
    db = tmp_path / "links.sqlite3"
    first = server_factory(db=db)
    code = httpx.post(first.url + "/api/v1/links", json={"query": "preset=adam&step=9"}).json()["code"]
    saved = httpx.post(first.url + "/api/v1/saved", json={"name": "kept", "query": "preset=xor"}).json()["id"]
    first.stop()
    second = server_factory(db=db, port=first.port)
    opened = httpx.get(f"{second.url}/s/{code}", follow_redirects=False)
    assert opened.status_code == 307 and opened.headers["location"] == "/?preset=adam&step=9"
    assert httpx.get(f"{second.url}/api/v1/saved/{saved}").json()["name"] == "kept"


def test_a_slow_client_gets_fewer_frames_that_skip_steps(server_factory):
    """Back-pressure: frames are made only when the last one was taken, so nothing piles up."""
    import time

    server = server_factory()
    run_id = httpx.post(server.url + "/api/v1/runs", json={"preset": "digits", "n_samples": 2000}).json()[
        "id"
    ]
    steps = []
    params = {"rate": 20, "max_frames": 30}  # full digit states, ~0.6 MB each: loopback buffers hold a few
    with httpx.stream(
        "GET", f"{server.url}/api/v1/runs/{run_id}/stream", params=params, timeout=60
    ) as response:
        for line in response.iter_lines():
            if line.startswith("id: "):
                steps.append(int(line[4:]))
                time.sleep(0.15)  # a slow reader: three frames' worth of time per frame
    gaps = [b - a for a, b in zip(steps, steps[1:], strict=False)]
    assert len(steps) == 30 and max(gaps) > 1, steps  # once the buffers are full, frames jump ahead
