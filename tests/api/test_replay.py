"""Every way of reaching step t gives the same bytes: stepping, replay, snapshot URL."""

from __future__ import annotations


def test_step_endpoint_equals_snapshot_bit_for_bit(client):
    run_id = client.post("/api/v1/runs", json={"preset": "minibatch", "seed": 7}).json()["id"]
    for _ in range(3):
        client.post(f"/api/v1/runs/{run_id}/step", json={"steps": 13})
    stepped = client.get(f"/api/v1/runs/{run_id}/state").content
    snap = client.get("/api/v1/snapshot?preset=minibatch&seed=7&step=39")
    assert snap.status_code == 200 and snap.content == stepped


def test_eviction_and_rebuild_give_the_same_bytes(client):
    run_id = client.post("/api/v1/runs", json={"preset": "adam"}).json()["id"]
    client.post(f"/api/v1/runs/{run_id}/step", json={"steps": 1234})
    before = client.get(f"/api/v1/runs/{run_id}/state").content
    client.app.state.services.runs.forget(run_id)  # as if evicted, restarted, or on another worker
    assert client.get(f"/api/v1/runs/{run_id}/state").content == before


def test_going_back_uses_checkpoints_and_matches(client):
    a = client.get("/api/v1/snapshot?preset=momentum&step=1700").content
    client.get("/api/v1/snapshot?preset=momentum&step=2600")  # the cached run moves on...
    assert (
        client.get(
            "/api/v1/snapshot?preset=momentum&step=1700", headers={"cache-control": "no-cache"}
        ).content
        == a
    )


def test_snapshot_etag_and_cache_headers(client):
    first = client.get("/api/v1/snapshot?preset=xor&step=5")
    assert first.headers["cache-control"] == "public, max-age=31536000, immutable"
    again = client.get("/api/v1/snapshot?preset=xor&step=5", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304
    other = client.get("/api/v1/snapshot?preset=xor&step=6")
    assert other.headers["etag"] != first.headers["etag"]


def test_url_names_match_api_names(client):
    by_url = client.get("/api/v1/snapshot?dataset=moons&hidden=3,2&lr=0.3&batch_norm=1&step=4").content
    run_id = client.post(
        "/api/v1/runs", json={"dataset": "moons", "hidden": [3, 2], "learning_rate": 0.3, "batch_norm": True}
    ).json()["id"]
    client.post(f"/api/v1/runs/{run_id}/step", json={"steps": 4})
    assert client.get(f"/api/v1/runs/{run_id}/state").content == by_url


def test_diverged_run_encodes_non_finite_and_flag(client):
    run_id = client.post("/api/v1/runs", json={"preset": "exploding"}).json()["id"]
    state = client.post(f"/api/v1/runs/{run_id}/step", json={"steps": 300}).json()
    assert state["diverged"] is True and state["loss"] in ("NaN", "Infinity")  # docs/api.md


def test_deep_snapshot_computes_each_update_once(client, monkeypatch):
    """A snapshot 10,000 steps deep from nothing is one pass over the steps, no step planned
    twice (its time is the benchmark's: bench_api "snapshot 10,000 deep, cold")."""
    from engine.trainer import Run

    planned = []
    make_plan = Run._make_plan

    def counting(self):
        planned.append(self.step)
        return make_plan(self)

    monkeypatch.setattr(Run, "_make_plan", counting)
    response = client.get("/api/v1/snapshot?preset=xor&step=10000&fields=step,loss")
    assert response.status_code == 200 and response.json()["step"] == 10000
    assert sorted(set(planned)) == list(range(len(set(planned)))) and len(set(planned)) >= 10000
    assert len(planned) == len(set(planned)), "a step was planned twice"
