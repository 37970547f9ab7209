"""The REST contract of docs/api.md, endpoint by endpoint."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.presets import resolve
from engine.trainer import Run


def create(client, **config) -> str:
    response = client.post("/api/v1/runs", json=config)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_meta_lists_choices_limits_and_lessons(client):
    meta = client.get("/api/v1/meta").json()
    assert "adam" in meta["choices"]["optimizer"] and "softmax" in meta["choices"]["output_activation"]
    assert meta["limits"]["max_steps_per_request"] >= 10_000 and meta["limits"]["max_replay_steps"] >= 100_000
    assert meta["limits"]["max_inputs"] >= 784 and meta["limits"]["max_layer_width"] >= 256
    assert meta["limits"]["max_hidden_layers"] >= 6
    digits = next(p for p in meta["presets"] if p["name"] == "digits")
    assert digits["n_params"] == 13002 and digits["title"]["zh-Hans"] == "手写数字：784-16-16-10"


def test_create_get_step_reset(client):
    response = client.post("/api/v1/runs", json={"preset": "xor"})
    body = response.json()
    assert response.status_code == 201 and body["step"] == 0 and body["n_params"] == 9
    assert body["config"]["hidden"] == [2] and body["config"]["learning_rate"] == 2.0
    run_id = body["id"]
    state = client.post(f"/api/v1/runs/{run_id}/step", json={"steps": 5}).json()
    assert state["step"] == 5
    assert client.get(f"/api/v1/runs/{run_id}").json()["step"] == 5
    assert client.post(f"/api/v1/runs/{run_id}/reset").json()["step"] == 0
    assert client.get(f"/api/v1/runs/{run_id}/state").json()["step"] == 0


def test_state_follows_the_conventions(client):
    run_id = create(client, preset="xor", hidden=[3])
    state = client.get(f"/api/v1/runs/{run_id}/state").json()
    B = len(state["batch"]["index"])
    first, out = state["layers"]
    assert np.shape(first["W"]) == (3, 2) and np.shape(first["b"]) == (3,)  # W is (n_out, n_in)
    assert np.shape(first["delta"]) == (B, 3)  # δ per sample
    # dW = (1/B) Σ_s δ_sᵀ a_prev_s, from the returned numbers alone
    a_prev = np.array(state["batch"]["x"])
    np.testing.assert_allclose(first["dW"], np.array(first["delta"]).T @ a_prev / B, rtol=1e-12)
    np.testing.assert_allclose(out["dW"], np.array(out["delta"]).T @ np.array(first["a"]) / B, rtol=1e-12)
    # the update the next step applies is exactly −η·dW for SGD
    np.testing.assert_array_equal(np.array(out["dW_applied"]), -2.0 * np.array(out["dW"]))


def test_full_precision_is_repr_exact(client):
    run_id = create(client, preset="xor")
    body = client.get(f"/api/v1/runs/{run_id}/state").json()
    engine = Run(resolve({"preset": "xor"})).state()
    assert body["loss"] == engine.loss  # same float64, bit for bit
    assert body["layers"][0]["W"] == engine.layers[0].W.tolist()


def test_digits_and_fields(client):
    run_id = create(client, preset="xor")
    short = client.get(f"/api/v1/runs/{run_id}/state?digits=3&fields=step,loss,layers.W").json()
    assert set(short) == {"step", "loss", "layers"} and set(short["layers"][0]) == {"W"}
    full = client.get(f"/api/v1/runs/{run_id}/state").json()
    assert short["loss"] == float(f"{full['loss']:.3g}")
    assert short["layers"][0]["W"][0][0] == float(f"{full['layers'][0]['W'][0][0]:.3g}")


def test_history(client):
    run_id = create(client, preset="xor")
    client.post(f"/api/v1/runs/{run_id}/step", json={"steps": 20})
    history = client.get(f"/api/v1/runs/{run_id}/history").json()
    assert history["step"] == list(range(20))
    assert len(history["grad_norms"]) == 20 and len(history["grad_norms"][0]) == 2
    assert history["eval_step"] == [0, 10, 20] and len(history["train_loss"]) == 3
    assert history["loss"][-1] < history["loss"][0]


def test_predict(client):
    run_id = create(client, preset="xor")
    y = client.post(f"/api/v1/runs/{run_id}/predict", json={"x": [[0, 0], [1, 0]]}).json()["y"]
    expected = Run(resolve({"preset": "xor"})).predict(np.array([[0.0, 0.0], [1.0, 0.0]]))
    assert y == expected.tolist()


def test_chain_factors_and_finite_difference(client):
    run_id = create(client, preset="xor")
    c = client.get(f"/api/v1/runs/{run_id}/chain", params={"layer": 0, "i": 1, "j": 0}).json()
    np.testing.assert_allclose(c["per_sample"], np.multiply(c["a_prev"], c["delta"]), rtol=1e-14)
    np.testing.assert_allclose(c["delta"], np.multiply(c["fprime"], c["dL_da"]), rtol=1e-13)
    assert math.isclose(c["numeric"], c["dW"], rel_tol=1e-6, abs_tol=1e-10)
    assert len(c["next"]) == 1  # one output neuron above


def test_example_endpoint(client):
    run_id = create(client, preset="digits", n_samples=200)
    ex = client.get(f"/api/v1/runs/{run_id}/example", params={"row": 3}).json()
    assert len(ex["gradient"]) == len(ex["full_gradient"]) == 13002
    assert -1 <= ex["cosine"]["batch_full"] <= 1
    label = int(np.argmax(ex["y"]))  # softmax: the wish on z is y − ŷ, up for the true class only
    assert ex["output_nudges_z"][label] > 0 and all(
        v < 0 for k, v in enumerate(ex["output_nudges_z"]) if k != label
    )
    sse = client.get(
        f"/api/v1/runs/{create(client, preset='digits_sse', n_samples=200)}/example?row=3"
    ).json()
    label = int(np.argmax(sse["y"]))  # squared error: −∂C/∂a = −2(a − y), the video's picture
    assert sse["output_nudges"][label] > 0 and all(
        v < 0 for k, v in enumerate(sse["output_nudges"]) if k != label
    )


@pytest.mark.parametrize("row", [99999, 4000, -1, 10**30])
def test_an_example_row_past_the_set_names_the_sets_bound(client, row):
    """Row 99999 of the digits (4000 training rows) was refused as "≤ 5000", the most rows any
    set may have: the student read that 4500 would do. The bound said is the set's own."""
    run_id = create(client, preset="digits")
    answer = client.get(f"/api/v1/runs/{run_id}/example", params={"row": row})
    assert answer.status_code == 422
    (detail,) = answer.json()["detail"]
    assert detail["loc"][-1] == "row" and detail["allowed"] == "0 to 3999", detail


@pytest.mark.parametrize("preset", ["batchnorm", "digits"])
def test_every_state_field_serialises(client, preset):
    run_id = create(client, preset=preset)
    state = client.post(f"/api/v1/runs/{run_id}/step", json={"steps": 2}).json()
    assert state["step"] == 2 and isinstance(state["metrics"], dict)
    if preset == "batchnorm":
        assert set(state["layers"][0]["bn"]) >= {"gamma", "beta", "dgamma", "dbeta", "running_mean"}


def test_predict_layers_preview_and_data(client):
    run_id = create(client, preset="xor", hidden=[3])
    out = client.post(f"/api/v1/runs/{run_id}/predict", json={"x": [[0, 1]], "layers": True}).json()
    assert np.shape(out["layers"][0]) == (1, 3) and out["layers"][-1] == out["y"]
    preview = client.get(f"/api/v1/runs/{run_id}/preview", params={"points": 3, "until": 1}).json()
    state = client.get(f"/api/v1/runs/{run_id}/state").json()
    assert preview["alpha"] == [0.0, 0.5, 1.0] and preview["loss"][0] == pytest.approx(
        state["loss"], rel=1e-12
    )
    data = client.get(f"/api/v1/runs/{run_id}/data").json()
    assert (
        data["x"] == [[0, 0], [0, 1], [1, 0], [1, 1]]
        and data["total"] == 4
        and data["kind"] == "classification"
    )


def test_confusion_endpoint(client):
    run_id = create(client, preset="digits", n_samples=300)
    body = client.get(f"/api/v1/runs/{run_id}/confusion").json()
    assert np.shape(body["matrix"]) == (10, 10) and np.sum(body["matrix"]) == 60 and body["split"] == "test"
    regression = create(client, dataset="plane", output_activation="linear")
    assert client.get(f"/api/v1/runs/{regression}/confusion").json()["classification"] is False
