"""Play and pause agree with the page: history since a step, pause at the step shown, frames
that keep coming on a slow net (static/js/run.js is the client)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.request

import orjson

from app import stream
from tests.api.test_stream import events
from tests.support import ROOT


def test_history_since_is_the_tail_of_the_whole_history(client):
    run_id = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
    client.post(f"/api/v1/runs/{run_id}/step", json={"steps": 7}, params={"fields": "step"})
    page = client.get(f"/api/v1/runs/{run_id}/history").json()  # what a page at step 7 holds
    client.post(f"/api/v1/runs/{run_id}/step", json={"steps": 260}, params={"fields": "step"})
    whole = client.get(f"/api/v1/runs/{run_id}/history").json()
    new = client.get(f"/api/v1/runs/{run_id}/history", params={"since": 7}).json()
    assert new["step"] == list(range(7, 267))
    for key in whole:
        assert page[key] + new[key] == whole[key], key  # nothing lost, nothing twice
    assert new["eval_step"] and all(s > 7 for s in new["eval_step"])
    assert client.get(f"/api/v1/runs/{run_id}/history", params={"since": -1}).status_code == 422


def test_pause_goes_to_the_step_shown_and_answers_its_state(client):
    run_id = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
    client.post(f"/api/v1/runs/{run_id}/step", json={"steps": 40}, params={"fields": "step"})
    paused = client.post(f"/api/v1/runs/{run_id}/pause", params={"step": 25}).json()
    assert paused["step"] == 25
    assert client.get(f"/api/v1/runs/{run_id}").json()["step"] == 25  # the store agrees
    assert paused == client.get(f"/api/v1/runs/{run_id}/state").json()
    history = client.get(f"/api/v1/runs/{run_id}/history").json()
    assert history["step"] == list(range(25))
    # a step ahead of the store's is gone to, as a Step would (a stream in another worker tells
    # the store its step only now and then): the same bits as the run stepped there
    ahead = client.post(f"/api/v1/runs/{run_id}/pause", params={"step": 31}).json()
    again = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
    assert ahead == client.post(f"/api/v1/runs/{again}/step", json={"steps": 31}).json()
    assert client.get(f"/api/v1/runs/{run_id}").json()["step"] == 31


def test_a_pause_ahead_is_no_more_work_than_a_step_may_do(tmp_path):
    from fastapi.testclient import TestClient

    from app.main import create_app
    from tests.api.conftest import settings_for

    with TestClient(create_app(settings_for(tmp_path, max_work=100_000))) as client:  # ~49 XOR steps
        run_id = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
        refused = client.post(f"/api/v1/runs/{run_id}/pause", params={"step": 99})
        assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "step"
        assert client.post(f"/api/v1/runs/{run_id}/pause", params={"step": 40}).json()["step"] == 40


def test_a_frame_does_at_least_one_step_and_no_more_than_its_time_allows(client, monkeypatch):
    monkeypatch.setattr(stream, "FRAME_WORK_SECONDS", 0.0)  # every frame's budget spent after one step
    run_id = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
    got = events(
        client.get(f"/api/v1/runs/{run_id}/stream?rate=200&max_frames=4&steps_per_frame=100&fields=step").text
    )
    assert [data["step"] for kind, data in got if kind == "state"] == [1, 2, 3, 4]


def test_a_frame_steps_for_a_share_of_its_interval_at_most(client, monkeypatch):
    # a fast net at a high rate: the time cap alone (60 ms) would allow all 100 steps a frame
    assert stream.frame_work_seconds(40) <= 0.5 / 40 < stream.FRAME_WORK_SECONDS
    monkeypatch.setattr(stream, "FRAME_WORK_SHARE", 0.0)  # no share of the interval: one step a frame
    run_id = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
    got = events(
        client.get(f"/api/v1/runs/{run_id}/stream?rate=200&max_frames=3&steps_per_frame=100&fields=step").text
    )
    assert [data["step"] for kind, data in got if kind == "state"] == [1, 2, 3]


def test_the_server_runs_one_blas_thread_per_request_thread():
    """BLAS threads on top of the server's own threads fought for the cores (a digit frame took
    seconds on a busy machine); importing the app sets one, unless the operator chose."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    code = "import app, os; print(os.environ['OPENBLAS_NUM_THREADS'], os.environ['OMP_NUM_THREADS'])"
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.split() == ["1", "1"], out.stderr
    env["OPENBLAS_NUM_THREADS"] = "3"
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.split() == ["3", "1"], out.stderr


def test_after_pause_a_stream_still_open_steps_no_more(server_factory):
    server = server_factory()
    base = server.url + "/api/v1/runs"

    def call(method: str, url: str, body: dict | None = None) -> dict:
        data = orjson.dumps(body) if body is not None else None
        request = urllib.request.Request(
            url, data=data, method=method, headers={"content-type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return orjson.loads(response.read())

    run_id = call("POST", base, {"preset": "xor"})["id"]
    seen: list[int] = []
    ended = threading.Event()

    def play() -> None:  # a client that keeps its stream open and reads every frame
        with urllib.request.urlopen(f"{base}/{run_id}/stream?rate=50&fields=step", timeout=30) as response:
            for line in response:
                if line.startswith(b"id: "):
                    seen.append(int(line[4:]))
        ended.set()

    threading.Thread(target=play, daemon=True).start()
    while len(seen) < 5:
        time.sleep(0.02)
    paused = call("POST", f"{base}/{run_id}/pause?fields=step")["step"]
    assert ended.wait(10), "the stream goes on after a pause"
    time.sleep(0.3)
    assert call("GET", f"{base}/{run_id}")["step"] == paused  # nothing stepped after the answer
    assert seen[-1] <= paused


def test_a_pause_goes_back_to_the_frame_shown_without_replaying(client, monkeypatch):
    """A page pauses at the last frame it showed, a few frames behind the stream: the server
    keeps the last frames' ends, so it goes back by a copy instead of replaying from its last
    checkpoint (up to 500 steps of every student's run when a class pauses)."""
    from engine.trainer import Run

    run_id = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
    client.get(f"/api/v1/runs/{run_id}/stream?rate=120&max_frames=10&fields=step")
    ahead = client.get(f"/api/v1/runs/{run_id}").json()["step"]
    stepped = []
    advance = Run.advance
    monkeypatch.setattr(Run, "advance", lambda self, n=1: stepped.append(n) or advance(self, n))
    shown = client.post(f"/api/v1/runs/{run_id}/pause?step={ahead - 3}").json()
    assert shown["step"] == ahead - 3 and stepped == []
    monkeypatch.undo()
    again = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]  # the same config, stepped
    assert shown == client.post(f"/api/v1/runs/{again}/step", json={"steps": ahead - 3}).json()


def test_a_stream_tells_the_store_its_step_now_and_then_and_when_it_stops(client, monkeypatch):
    """A frame wrote the store every time (a class of 100 XOR streams: 2,000 writes a second);
    now every TELL_SECONDS and when the stream stops, and the worker's readers follow the stream
    meanwhile: a State read mid-stream is never behind the frames sent."""
    from app.store.sql import SQLStore

    writes = []
    set_position = SQLStore.set_position
    monkeypatch.setattr(
        SQLStore, "set_position", lambda self, *a, **k: writes.append(a[1]) or set_position(self, *a, **k)
    )
    run_id = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
    frames = [
        data["step"]
        for kind, data in events(
            client.get(f"/api/v1/runs/{run_id}/stream?rate=100&max_frames=30&fields=step").text
        )
        if kind == "state"
    ]
    assert len(frames) == 30 and 1 <= len(writes) <= 6, (
        writes
    )  # 0.3 s of frames: the first, the last, maybe one
    store = client.app.state.services.store
    assert store.get_run(run_id)[1] == frames[-1] == writes[-1]  # the store heard where it stopped
    assert client.get(f"/api/v1/runs/{run_id}").json()["step"] == frames[-1]


def test_a_pause_in_another_worker_lands_on_the_frame_shown(tmp_path):
    """Two workers on one store: the stream's (A) runs ahead of what it told the store; the pause
    lands on B, which goes forward to the frame the page shows, bit for bit; and the stream's
    last word, given after that pause, does not move the run on (even when the pause was at the
    very step the store held: every write changes when it was written)."""
    from app.api import state_json
    from app.runs import RunManager
    from app.settings import Settings
    from app.store import open_store
    from engine.presets import resolve

    store = open_store(tmp_path / "store.sqlite3")
    a, b = RunManager(store, Settings()), RunManager(store, Settings())

    def read(run):
        return run.step, state_json(run, None, None)

    for shown_told in (False, True):
        run_id, _ = a.create(resolve({"preset": "xor"}), lambda run: None)
        pauses = a.pauses(run_id)
        told_step = a.stream_frame(run_id, 5, 5, 1.0, pauses, read)[0]  # tells the store: 5
        for target in (10, 15, 20):  # three frames the store is not told of
            shown = a.stream_frame(run_id, target, 5, 1.0, pauses, read, tell=False)
        assert store.get_run(run_id)[1] == told_step == 5 and shown[0] == 20
        step = told_step if shown_told else shown[0]
        paused = b.pause(run_id, step, read)
        fresh, _ = b.create(resolve({"preset": "xor"}), lambda run: None)
        assert paused == b.step(fresh, step, read)  # the same bits as the run stepped there
        a.tell(run_id)  # the stream in A stops, late: it must not undo the pause
        assert store.get_run(run_id)[1] == step


def played_to(base: str, run_id: str, at_least: int, fields: dict) -> int:
    """Open the run's stream (60 frames a second, 5 steps each) and leave it at the first frame
    at or past step `at_least`: its step, the last frame a page would have shown."""
    import httpx

    with httpx.stream(
        "GET", f"{base}/{run_id}/stream", params={"rate": 60, "steps_per_frame": 5, **fields}, timeout=60
    ) as r:
        for line in r.iter_lines():
            if line.startswith("id: ") and int(line[4:]) >= at_least:
                return int(line[4:])
    raise AssertionError(f"the stream ended before step {at_least}")


def test_a_page_that_pauses_lands_on_its_last_frame_whichever_worker_answers(server_factory):
    """Two workers: the stream on one, the pause on a connection of its own, which either
    worker may serve (about half the time the other one, whose store was told the stream's step
    only every half second): the pause lands on the last frame the page read, with the same
    bits as the run stepped there, and the stream, closed, does not move the run on after."""
    import httpx

    server = server_factory(workers=2)
    base = server.url + "/api/v1/runs"
    fields = {"fields": "step,loss,layers.W,layers.b"}
    with httpx.Client(timeout=60) as client:
        for _ in range(6):
            run_id = client.post(base, json={"preset": "xor"}).json()["id"]
            last = played_to(base, run_id, 5 * 25, fields)  # ~0.4 s of frames: one tell or more behind
            paused = client.post(f"{base}/{run_id}/pause", params={"step": last, **fields}).json()
            assert paused["step"] == last
            again = client.post(base, json={"preset": "xor"}).json()["id"]
            assert paused == client.post(f"{base}/{again}/step", json={"steps": last}, params=fields).json()
            time.sleep(0.2)
            assert client.get(f"{base}/{run_id}").json()["step"] == last


def test_two_workers_share_what_they_computed_through_the_store(server_factory, tmp_path):
    """Two real workers: the stream's tells leave a checkpoint in the store, which the pause
    (on either worker) and the Steps after it (alternately on both) restore from; every
    answer is the run stepped there, bit for bit."""
    import sqlite3

    import httpx

    server = server_factory(workers=2)
    base = server.url + "/api/v1/runs"
    fields = {"fields": "step,loss,layers.W,layers.b,metrics"}
    with httpx.Client(timeout=60) as client:
        for _ in range(3):
            run_id = client.post(base, json={"preset": "xor"}).json()["id"]
            # ~1 s of frames: the store was told of one (and shared a checkpoint) well before
            last = played_to(base, run_id, 5 * 60, fields)
            db = sqlite3.connect(tmp_path / "store.sqlite3")
            # at or before the frame the page read: the stream may have built (and told the
            # store of) a frame or two more before it saw the client leave
            stored = db.execute(
                "SELECT MAX(step) FROM checkpoints WHERE run_id = ? AND state IS NOT NULL AND step <= ?",
                (run_id, last),
            ).fetchone()[0]
            db.close()
            assert stored is not None and stored > 0
            paused = client.post(f"{base}/{run_id}/pause", params={"step": last, **fields}).json()
            with httpx.Client(timeout=60) as other:  # a connection of its own: either worker
                for _ in range(4):
                    stepped = other.post(f"{base}/{run_id}/step", json={"steps": 1}, params=fields).json()
            again = client.post(base, json={"preset": "xor"}).json()["id"]
            assert paused == client.post(f"{base}/{again}/step", json={"steps": last}, params=fields).json()
            assert stepped == client.post(f"{base}/{again}/step", json={"steps": 4}, params=fields).json()
