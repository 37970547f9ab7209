"""Bad input and too much work: each a clear 4xx JSON naming the field, never a 500."""

from __future__ import annotations

import pytest

from tests.api.conftest import settings_for

JSON = {"content-type": "application/json"}


def xor_run(client) -> str:
    return client.post("/api/v1/runs", json={"preset": "xor"}).json()["id"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/runs", b'{"preset": "\\ud800"}'),
        ("/api/v1/saved", b'{"name": "\\udfff", "query": "preset=xor"}'),
        ("/api/v1/links", b'{"query": "preset=xor&x=\\ud800"}'),
        ("/api/v1/import", b'{"format": "\\ud800", "config": {}, "weights": []}'),
        ("/api/v1/blobs", b'{"value": {"x": [[0]], "y": [[0]], "\\ud800": 1}}'),
    ],
)
def test_a_lone_surrogate_is_refused_as_json(client, path, body):
    response = client.post(path, content=body, headers=JSON)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["code"] == "json_invalid"


def test_a_surrogate_pair_is_text(client):
    response = client.post(
        "/api/v1/saved", content=b'{"name": "\\ud83d\\ude00", "query": "preset=xor"}', headers=JSON
    )
    assert response.status_code == 201 and response.json()["name"] == "😀"


@pytest.mark.parametrize("param", ["start=50357158763227954005671936", "count=99999999999999999999999"])
def test_huge_integers_in_the_query_are_a_422(client, param):
    response = client.get(f"/api/v1/runs/{xor_run(client)}/data?{param}")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][0] == "query"


@pytest.mark.parametrize("param", ["row=99999999999999999999", "layer=0&i=0&j=99999999999999999999"])
def test_huge_integers_elsewhere_are_a_422(client, param):
    path = "example" if param.startswith("row") else "chain"
    response = client.get(f"/api/v1/runs/{xor_run(client)}/{path}?{param}")
    assert response.status_code == 422


@pytest.mark.parametrize("steps", ["5", True, "５", 5.0])
def test_steps_must_be_a_json_integer(client, steps):
    response = client.post(f"/api/v1/runs/{xor_run(client)}/step", json={"steps": steps})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "steps"]


def test_full_width_digits_in_a_url_are_refused(client):
    assert client.get("/api/v1/snapshot?preset=xor&step=５").status_code == 422
    response = client.get("/api/v1/snapshot?preset=xor&seed=１２")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "seed"


def test_a_chunked_body_over_the_limit_is_413(tmp_path):
    from fastapi.testclient import TestClient

    from app.main import create_app

    with TestClient(create_app(settings_for(tmp_path, max_body_bytes=1000))) as client:

        def chunks():
            yield b'{"preset": "xor", "data": "'
            for _ in range(10):
                yield b"x" * 500
            yield b'"}'

        response = client.post("/api/v1/runs", content=chunks(), headers=JSON)  # no Content-Length
        assert response.status_code == 413, response.text
        assert response.json()["detail"][0]["type"] == "too_large"


def test_a_stream_rate_too_low_to_ever_send_is_refused(client):
    response = client.get(f"/api/v1/runs/{xor_run(client)}/stream?rate=1e-300")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "rate"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("preset=xor&view=x", "view"),
        ("preset=xor&sample=x", "sample"),
        ("preset=xor&sel=e:9:9:9", "sel"),
        ("preset=xor&sel=n:0:2", "sel"),
        ("preset=xor&sel=bogus", "sel"),
    ],
)
def test_short_links_refuse_page_params_the_page_cannot_draw(client, query, field):
    response = client.post("/api/v1/links", json={"query": query})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == field


def test_short_links_keep_page_params_that_fit_the_net(client):
    query = "preset=xor&view=weights&sample=1&sel=e:1:0:1"
    assert client.post("/api/v1/links", json={"query": query}).status_code == 201
    assert client.post("/api/v1/links", json={"query": "preset=xor&sel=n:0:1"}).status_code == 201


def test_blobs_are_held_to_the_config_limits(client):
    rows = 5001  # LIMITS["max_custom_rows"] is 5000
    response = client.post("/api/v1/blobs", json={"value": {"x": [[0.0]] * rows, "y": [[0.0]] * rows}})
    assert response.status_code == 422 and "5000" in response.json()["detail"][0]["allowed"]
    wide = client.post("/api/v1/blobs", json={"value": {"x": [[0.0] * 785], "y": [[0.0]]}})
    assert wide.status_code == 422 and "784" in wide.json()["detail"][0]["allowed"]


# -- budgets -------------------------------------------------------------------------------------


BIG = {"dataset": "digits", "hidden": [512, 512, 512], "batch_size": 0}


def test_meta_lists_the_budgets(client):
    limits = client.get("/api/v1/meta").json()["limits"]
    assert limits["max_work"] > limits["cheap_work"] > 0 and limits["max_response_mb"] > 0


def test_meta_is_each_servers_own_though_built_once(tmp_path):
    """/meta's answer is kept per settings (api.meta_answer): two servers with other limits
    each say their own, gzipped or not, again and again."""
    from fastapi.testclient import TestClient

    from app.main import create_app

    seen = {}
    for body_bytes, work in ((1000, 10**9), (2000, 10**8), (1000, 10**9)):
        settings = settings_for(tmp_path, max_body_bytes=body_bytes, max_work=work)
        with TestClient(create_app(settings)) as client:
            answers = [
                client.get("/api/v1/meta", headers={"accept-encoding": encoding})
                for encoding in ("gzip", "identity", "gzip")
            ]
        assert [a.headers.get("content-encoding") for a in answers] == ["gzip", None, "gzip"]
        assert answers[0].json() == answers[1].json() == answers[2].json()
        limits = answers[0].json()["limits"]
        assert (limits["max_body_bytes"], limits["max_work"]) == (body_bytes, work)
        seen.setdefault((body_bytes, work), answers[0].content)
        assert answers[0].content == seen[(body_bytes, work)]


def test_too_many_steps_of_a_large_net_is_a_422_that_says_the_most(client):
    run_id = client.post("/api/v1/runs", json=BIG).json()["id"]
    response = client.post(f"/api/v1/runs/{run_id}/step?fields=step", json={"steps": 10_000})
    assert response.status_code == 422, response.text
    item = response.json()["detail"][0]
    assert item["loc"] == ["body", "steps"] and item["code"] == "budget"
    most = int(item["allowed"].split()[2])
    assert 0 < most < 10_000
    assert item["most"] == most  # as a number too, for a client to take its steps in chunks of
    assert client.post(f"/api/v1/runs/{run_id}/step?fields=step", json={"steps": most + 1}).status_code == 422
    assert client.post(f"/api/v1/runs/{run_id}/step?fields=step", json={"steps": most}).status_code == 200
    # the budget is per request: the steps it allows are allowed
    assert client.post(f"/api/v1/runs/{run_id}/step?fields=step", json={"steps": 1}).status_code == 200


def test_a_snapshot_too_deep_for_the_net_is_refused_before_work(client):
    response = client.get(
        "/api/v1/snapshot?dataset=spiral&hidden=64,64&n_samples=5000&step=100000&fields=step"
    )
    assert response.status_code == 422
    item = response.json()["detail"][0]
    assert item["loc"][-1] == "step" and "from the start" in item["allowed"]


def test_a_state_too_large_to_send_is_refused_with_what_to_ask_for(client):
    run_id = client.post("/api/v1/runs", json={**BIG, "n_samples": 5000, "batch_size": 1000}).json()["id"]
    response = client.get(f"/api/v1/runs/{run_id}/state")
    assert response.status_code == 422
    assert "fields=" in response.json()["detail"][0]["allowed"]
    assert client.get(f"/api/v1/runs/{run_id}/state?fields=step,loss").status_code == 200


def test_predict_counts_rows_times_parameters(tmp_path):
    from fastapi.testclient import TestClient

    from app.main import create_app

    # a budget that allows one XOR step (~2,000 parameter·rows, mostly its fixed cost)
    with TestClient(create_app(settings_for(tmp_path, max_work=2100))) as client:
        run_id = xor_run(client)  # 9 parameters: at most 233 rows
        assert client.post(f"/api/v1/runs/{run_id}/predict", json={"x": [[0, 0]] * 233}).status_code == 200
        response = client.post(f"/api/v1/runs/{run_id}/predict", json={"x": [[0, 0]] * 234})
        assert response.status_code == 422 and response.json()["detail"][0]["allowed"].startswith(
            "at most 233"
        )


def test_memory_stays_in_the_budget_as_runs_step(tmp_path):
    """Checkpoints and history grow as a run steps: the cache budget holds then too, not only
    when a run is added."""
    from fastapi.testclient import TestClient

    from app.main import create_app

    settings = settings_for(tmp_path, max_cache_mb=2, checkpoint_every=100)
    with TestClient(create_app(settings)) as client:
        manager = client.app.state.services.runs
        first = client.post("/api/v1/runs", json={"preset": "digits"}).json()["id"]
        second = client.post("/api/v1/runs", json={"preset": "digits"}).json()["id"]
        assert manager.live_count == 2  # both fit when added
        for _ in range(3):
            client.post(f"/api/v1/runs/{second}/step?fields=step", json={"steps": 400})
        assert manager.live_count == 1  # the first run made room for the second's checkpoints
        assert client.get(f"/api/v1/runs/{first}?").json()["step"] == 0  # and is rebuilt when asked


def test_a_net_no_step_could_move_is_refused_when_made(client):
    """Every Step of it was a 422 allowing 0 steps: a client stepping in chunks of `most` looped."""
    response = client.post("/api/v1/runs", json={"dataset": "plane", "hidden": [512] * 4, "n_samples": 5000})
    assert response.status_code == 422, response.text
    item = response.json()["detail"][0]
    assert item["loc"] == ["body", "batch_size"] and item["code"] == "budget"
    assert item["value"] == 5000 and 0 < item["most"] < 5000 and "hidden" in item["allowed"]
    # the most it says is made, and steps
    made = client.post(
        "/api/v1/runs",
        json={"dataset": "plane", "hidden": [512] * 4, "n_samples": 5000, "batch_size": item["most"]},
    )
    assert made.status_code == 201, made.text
    step = client.post(f"/api/v1/runs/{made.json()['id']}/step?fields=step", json={"steps": 1})
    assert step.status_code == 200 and step.json()["step"] == 1
    too_big = {"dataset": "plane", "hidden": [512] * 4, "n_samples": 5000, "batch_size": item["most"] + 1}
    assert client.post("/api/v1/runs", json=too_big).status_code == 422


def test_a_stream_too_fast_for_the_net_says_the_most_steps_per_frame(client):
    run_id = client.post("/api/v1/runs", json={"preset": "digits"}).json()["id"]
    response = client.get(f"/api/v1/runs/{run_id}/stream?steps_per_frame=1000")
    assert response.status_code == 422, response.text
    item = response.json()["detail"][0]
    assert item["loc"] == ["query", "steps_per_frame"] and item["code"] == "budget"
    assert item["value"] == 1000  # what was sent, not the steps a frame may take (10 frames' worth)
    most = item["most"]
    assert 0 < most < 1000 and f"at most {most} steps_per_frame" in item["allowed"]
    over = client.get(f"/api/v1/runs/{run_id}/stream?steps_per_frame={most + 1}&max_frames=1")
    assert over.status_code == 422
    at_most = client.get(f"/api/v1/runs/{run_id}/stream?steps_per_frame={most}&max_frames=1&fields=step")
    assert at_most.status_code == 200 and "event: state" in at_most.text


def small_budget_client(tmp_path, **limits):
    from fastapi.testclient import TestClient

    from app.main import create_app

    return TestClient(create_app(settings_for(tmp_path, **limits)))


def test_an_example_over_the_budget_is_refused_before_work(tmp_path):
    """GET /example computes the gradient over every training row (the digit net: 13,002 × 4,000
    parameter·rows): it answered 83 MB after 3.4 s for a net a Step refused."""
    with small_budget_client(tmp_path, max_work=30_000_000) as client:
        run_id = client.post("/api/v1/runs", json={"preset": "digits"}).json()["id"]
        response = client.get(f"/api/v1/runs/{run_id}/example?row=0")
        assert response.status_code == 422, response.text[:300]
        item = response.json()["detail"][0]
        assert item["loc"] == ["query", "row"] and item["code"] == "budget" and item["most"] == 30_000_000
    with small_budget_client(tmp_path, max_response_mb=1) as client:
        run_id = client.post("/api/v1/runs", json={"preset": "digits"}).json()["id"]
        item = client.get(f"/api/v1/runs/{run_id}/example?row=0").json()["detail"][0]
        assert item["code"] == "response_size" and item["most"] == 1 and "digits=" in item["allowed"]
        assert client.get(f"/api/v1/runs/{run_id}/example?row=0&digits=4").status_code == 200


def test_a_chain_too_large_to_send_is_refused(tmp_path):
    with small_budget_client(tmp_path, max_response_mb=1) as client:
        full_batch = {"preset": "digits", "batch_size": 0}
        run_id = client.post("/api/v1/runs", json=full_batch).json()["id"]
        response = client.get(f"/api/v1/runs/{run_id}/chain?layer=0&i=0&j=0")
        assert response.status_code == 422, response.text[:300]
        item = response.json()["detail"][0]
        assert item["loc"] == ["query", "layer"] and item["code"] == "response_size" and item["most"] == 1
        # the output layer's chain has no layer above it: a few numbers per sample
        assert client.get(f"/api/v1/runs/{run_id}/chain?layer=2&i=0&j=0&digits=4").status_code == 200


def test_a_prediction_too_large_to_send_says_the_most_rows(tmp_path):
    """2,500 rows with every layer of a 512×4 net answered 98 MB, over max_response_mb."""
    with small_budget_client(tmp_path, max_response_mb=1) as client:
        net = {"dataset": "plane", "hidden": [512] * 4, "n_samples": 10}
        run_id = client.post("/api/v1/runs", json=net).json()["id"]
        rows = [[0.1, 0.2]] * 2500
        response = client.post(f"/api/v1/runs/{run_id}/predict", json={"x": rows, "layers": True})
        assert response.status_code == 422, response.text[:300]
        item = response.json()["detail"][0]
        assert item["loc"] == ["body", "x"] and item["code"] == "response_size" and item["value"] == 2500
        most = item["most"]
        assert 0 < most < 2500
        answer = client.post(f"/api/v1/runs/{run_id}/predict", json={"x": rows[:most], "layers": True})
        assert answer.status_code == 200 and len(answer.content) <= 2**20
        assert (
            client.post(f"/api/v1/runs/{run_id}/predict", json={"x": rows}).status_code == 200
        )  # outputs only


def test_a_surface_whose_path_is_over_the_budget_is_refused(tmp_path):
    """The path replays from the checkpoint before its start (step 0 here): 80 steps of the
    digit net and the grid, over a budget of 60 M parameter·rows."""
    with small_budget_client(tmp_path, max_work=60_000_000) as client:
        run_id = client.post("/api/v1/runs", json={"preset": "digits"}).json()["id"]
        client.post(f"/api/v1/runs/{run_id}/step?fields=step", json={"steps": 80})
        response = client.get(f"/api/v1/runs/{run_id}/surface?p=W1:0:0&path=20")
        assert response.status_code == 422, response.text[:300]
        item = response.json()["detail"][0]
        assert item["loc"] == ["query", "path"] and item["code"] == "budget"
        assert client.get(f"/api/v1/runs/{run_id}/surface?p=W1:0:0&path=0").status_code == 200


def test_a_page_of_rows_too_large_to_send_says_the_most_rows(tmp_path):
    with small_budget_client(tmp_path, max_response_mb=1) as client:
        run_id = client.post("/api/v1/runs", json={"preset": "digits"}).json()["id"]
        item = client.get(f"/api/v1/runs/{run_id}/data?count=1000").json()["detail"][0]
        assert item["loc"] == ["query", "count"] and item["code"] == "response_size"
        assert client.get(f"/api/v1/runs/{run_id}/data?count={item['most']}").status_code == 200
        assert client.get(f"/api/v1/runs/{run_id}/data?count=2000&with_x=false").status_code == 200


def test_a_class_opening_the_digit_lab_is_never_told_busy():
    """The lab's example (the gradient over every training row) was counted at ~52 M parameter·rows,
    over the cheap lane's 50 M: each went to the heavy lane (one job, eight waiting), and a class
    opening the lab together would have been answered 503 from its tenth student on."""
    from app.budget import Shape, example_cost
    from app.settings import Settings
    from engine.presets import resolve

    settings = Settings()
    shape = Shape.of_config(resolve({"preset": "digits"}))
    assert example_cost(shape, 0, None, settings) <= settings.cheap_work
