"""The SSE stream, in-process: events, limits, divergence."""

from __future__ import annotations

import orjson


def events(text: str) -> list[tuple[str, dict]]:
    out = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in lines:
            out.append((lines["event"], orjson.loads(lines["data"])))
    return out


def test_stream_sends_states_then_end(client):
    run_id = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
    response = client.get(f"/api/v1/runs/{run_id}/stream?rate=120&max_frames=5&fields=step,loss")
    assert response.headers["content-type"].startswith("text/event-stream")
    got = events(response.text)
    kinds = [kind for kind, _ in got]
    assert kinds == ["state"] * 5 + ["end"]
    steps = [data["step"] for kind, data in got if kind == "state"]
    assert steps == sorted(steps) and steps[0] >= 1
    assert got[-1][1] == {"reason": "max_frames", "step": steps[-1]}
    assert client.get(f"/api/v1/runs/{run_id}").json()["step"] == steps[-1]  # the store follows the stream


def test_stream_states_equal_the_rest_api(client):
    run_id = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
    got = events(client.get(f"/api/v1/runs/{run_id}/stream?rate=120&max_frames=2&steps_per_frame=3").text)
    last = got[-2][1]
    assert last == client.get(f"/api/v1/runs/{run_id}/state").json()


def test_stream_stops_on_divergence(client):
    run_id = client.post("/api/v1/runs", json={"preset": "exploding"}).json()["id"]
    got = events(client.get(f"/api/v1/runs/{run_id}/stream?rate=120&steps_per_frame=100&fields=step").text)
    assert got[-1][0] == "end" and got[-1][1]["reason"] == "diverged"


def test_stream_limits_are_enforced(client):
    run_id = client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]
    assert client.get(f"/api/v1/runs/{run_id}/stream?steps_per_frame=100000").status_code == 422
    assert client.get(f"/api/v1/runs/{run_id}/stream?rate=0").status_code == 422
    assert client.get(f"/api/v1/runs/{run_id}/stream?fields=nope").status_code == 422
