"""Two replicas (real `python -m app` processes) on one PostgreSQL: they agree.

A run is a pure function of its config and the store holds its step, so either replica
answers for any run, with the same bits; steps taken on both are all counted.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import orjson
import pytest

from tests.support import start_replicas, stream_states

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def replicas(postgres):
    """Started once for this module (each test makes runs of its own), both at once."""
    url = postgres.new_database()
    started = start_replicas(url)
    yield started
    for server in started:
        server.stop()


def post(url: str, path: str, body: dict, **params) -> httpx.Response:
    response = httpx.post(url + path, json=body, params=params, timeout=60)
    response.raise_for_status()
    return response


def test_a_run_stepped_on_the_other_replica_is_bit_identical(replicas):
    a, b = (s.url for s in replicas)
    moved = post(a, "/api/v1/runs", {"preset": "minibatch"}).json()["id"]
    stayed = post(a, "/api/v1/runs", {"preset": "minibatch"}).json()["id"]
    for where, n in ((b, 5), (a, 11), (b, 1), (b, 30), (a, 7)):
        post(where, f"/api/v1/runs/{moved}/step", {"steps": n})
        post(a, f"/api/v1/runs/{stayed}/step", {"steps": n})
    reference = httpx.get(f"{a}/api/v1/runs/{stayed}/state").content
    assert orjson.loads(reference)["step"] == 54
    assert httpx.get(f"{a}/api/v1/runs/{moved}/state").content == reference
    assert httpx.get(f"{b}/api/v1/runs/{moved}/state").content == reference


def test_links_and_saved_runs_are_shared(replicas):
    a, b = (s.url for s in replicas)
    code = post(a, "/api/v1/links", {"query": "preset=adam&step=9"}).json()["code"]
    opened = httpx.get(f"{b}/s/{code}", follow_redirects=False)
    assert opened.status_code == 307 and opened.headers["location"] == "/?preset=adam&step=9"
    saved = httpx.post(f"{a}/api/v1/saved", json={"name": "on A", "query": "preset=xor"})
    owner = {"bpx_owner": saved.cookies["bpx_owner"]}  # the same browser, whichever replica answers
    httpx.post(f"{b}/api/v1/saved", json={"name": "on B", "query": "preset=xor"}, cookies=owner)
    lists = [httpx.get(f"{url}/api/v1/saved", cookies=owner).json() for url in (a, b)]
    assert lists[0] == lists[1] and [s["name"] for s in lists[0]["items"]] == ["on B", "on A"]


def test_concurrent_steps_over_both_replicas_lose_no_update(replicas):
    a, b = (s.url for s in replicas)
    run_id = post(a, "/api/v1/runs", {"preset": "xor"}).json()["id"]

    def step(k: int) -> int:
        url = (a, b)[k % 2]
        return post(url, f"/api/v1/runs/{run_id}/step", {"steps": 1}, fields="step").json()["step"]

    with ThreadPoolExecutor(20) as pool:
        steps = list(pool.map(step, range(20)))
    assert all(1 <= s <= 20 for s in steps)
    for url in (a, b):
        assert httpx.get(f"{url}/api/v1/runs/{run_id}").json()["step"] == 20
    alone = post(a, "/api/v1/runs", {"preset": "xor"}).json()["id"]
    post(a, f"/api/v1/runs/{alone}/step", {"steps": 20})
    assert (
        httpx.get(f"{b}/api/v1/runs/{run_id}/state").content
        == httpx.get(f"{a}/api/v1/runs/{alone}/state").content
    )


def test_a_stream_on_one_replica_never_goes_back_while_the_other_steps(replicas):
    a, b = (s.url for s in replicas)
    run_id = post(a, "/api/v1/runs", {"preset": "xor"}).json()["id"]
    done = threading.Event()
    stepped = []

    def step_on_b() -> None:
        while not done.is_set():
            stepped.append(post(b, f"/api/v1/runs/{run_id}/step", {"steps": 3}, fields="step").json()["step"])

    stepper = threading.Thread(target=step_on_b)
    stepper.start()
    try:
        seen = [
            s["step"] for s in stream_states(a, run_id, timeout=60, rate=30, max_frames=60, fields="step")
        ]
    finally:
        done.set()
        stepper.join()
    assert len(seen) == 60 and len(stepped) >= 2
    assert seen == sorted(seen), seen
    assert max(stepped) > seen[0]  # B's steps happened while A streamed (they show as jumps)
    final = httpx.get(f"{a}/api/v1/runs/{run_id}").json()["step"]
    assert final >= max(seen[-1], stepped[-1])


def test_a_replica_behind_restores_the_other_replicas_checkpoint(replicas):
    """A run stepped on A leaves its checkpoint and history chunks in PostgreSQL; B, which
    never saw the run, answers its State and history from them, the same bytes as A."""
    import psycopg

    a, b = (s.url for s in replicas)
    run_id = post(a, "/api/v1/runs", {"preset": "adam"}).json()["id"]
    post(a, f"/api/v1/runs/{run_id}/step", {"steps": 1234}, fields="step")
    with psycopg.connect(str(replicas[0].db), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT step, state IS NOT NULL FROM checkpoints WHERE run_id = %s ORDER BY step", (run_id,)
        ).fetchall()
    assert rows == [(500, True), (1000, True), (1234, True)]  # the marks in memory go too
    for what in ("state", "history"):
        assert (
            httpx.get(f"{b}/api/v1/runs/{run_id}/{what}").content
            == httpx.get(f"{a}/api/v1/runs/{run_id}/{what}").content
        )
