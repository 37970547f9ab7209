"""`?sample=`: a State whose per-sample arrays carry one batch sample's row, or the batch mean
(app/sampled.py), as a Step click on a big net asks for it; the numbers are the float64
State's, and every other field is unchanged."""

from __future__ import annotations

import base64

import numpy as np

PER_SAMPLE = ("z", "a", "dL_da", "delta")


def create(client, **config) -> str:
    return client.post("/api/v1/runs", json=config).json()["id"]


def pixels(packed: dict) -> np.ndarray:
    """app/frames.py's exact byte levels, with the bitmap of the raised ones."""
    q = np.frombuffer(base64.b64decode(packed["data"]), dtype=np.uint8)
    if "raised" in packed:
        n = int(np.prod(packed["shape"]))
        raised = np.unpackbits(np.frombuffer(base64.b64decode(packed["raised"]), dtype=np.uint8))[:n] == 1
        full = np.zeros(n)
        full[raised] = q
        q = full
    return packed["lo"] + q * ((packed["hi"] - packed["lo"]) / 255)


def test_one_sample_is_that_row_of_the_float64_state_bit_for_bit(client):
    run = create(client, preset="xor", hidden=[3], batch_size=4)
    client.post(f"/api/v1/runs/{run}/step", json={"steps": 7})
    full = client.get(f"/api/v1/runs/{run}/state").json()
    one = client.get(f"/api/v1/runs/{run}/state?sample=2").json()
    assert one["batch"]["x"] == {"dtype": "row", "shape": [4, 2], "row": 2, "data": full["batch"]["x"][2]}
    assert one["batch"]["y"] == full["batch"]["y"] and one["batch"]["index"] == full["batch"]["index"]
    for mine, theirs in zip(one["layers"], full["layers"], strict=True):
        for key in PER_SAMPLE:
            assert mine[key]["row"] == 2 and mine[key]["data"] == theirs[key][2], key
            assert mine[key]["shape"] == [4, len(theirs[key][0])]
        assert {k: v for k, v in mine.items() if k not in PER_SAMPLE} == {
            k: v for k, v in theirs.items() if k not in PER_SAMPLE
        }
    assert {k: v for k, v in one.items() if k not in ("batch", "layers")} == {
        k: v for k, v in full.items() if k not in ("batch", "layers")
    }


def test_the_mean_is_the_batch_mean_and_a_row_past_the_batch_is_its_last(client):
    run = create(client, preset="xor", hidden=[3], batch_size=4)
    client.post(f"/api/v1/runs/{run}/step", json={"steps": 3})
    full = client.get(f"/api/v1/runs/{run}/state").json()
    mean = client.get(f"/api/v1/runs/{run}/state?sample=mean").json()
    for l, layer in enumerate(mean["layers"]):
        for key in PER_SAMPLE:
            assert layer[key]["dtype"] == "mean" and "row" not in layer[key]
            np.testing.assert_allclose(
                layer[key]["data"], np.mean(full["layers"][l][key], axis=0), rtol=1e-15
            )
    past = client.get(f"/api/v1/runs/{run}/state?sample=40").json()  # the page shows the last row
    assert past["layers"][0]["a"]["row"] == 3 and past["layers"][0]["a"]["data"] == full["layers"][0]["a"][3]


def test_a_compact_step_and_a_pause_carry_the_sample_and_an_images_pixels_exactly(client):
    run = create(client, preset="digits")
    answer = client.post(
        f"/api/v1/runs/{run}/step?format=compact&sample=5&include=history", json={"steps": 2}
    ).json()
    full = client.get(f"/api/v1/runs/{run}/state").json()
    state = answer["state"]
    assert state["step"] == full["step"] == 2 and answer["history"]["step"] == [0, 1]
    x = state["batch"]["x"]
    assert x["dtype"] == "row" and x["row"] == 5 and x["data"]["dtype"] == "u8"
    np.testing.assert_allclose(pixels(x["data"]), full["batch"]["x"][5], rtol=0, atol=1e-12)
    hidden = state["layers"][1]["delta"]  # 16 numbers: exact JSON
    assert hidden == {"dtype": "row", "shape": [32, 16], "row": 5, "data": full["layers"][1]["delta"][5]}
    assert state["layers"][0]["W"]["dtype"] == "i8"  # the rest packed as ever
    paused = client.post(f"/api/v1/runs/{run}/pause?format=compact&sample=mean").json()
    assert paused["layers"][2]["a"]["dtype"] == "mean" and paused["step"] == 2


def test_a_smaller_answer_than_every_row(client):
    run = create(client, preset="digits")
    client.post(f"/api/v1/runs/{run}/step", json={"steps": 1})
    every = client.get(f"/api/v1/runs/{run}/state?format=compact").content
    one = client.get(f"/api/v1/runs/{run}/state?format=compact&sample=0").content
    assert len(one) < 0.75 * len(every)  # 32 rows of z, a, ∂ℓ/∂a, δ and pixels: one


def test_a_sample_that_is_neither_a_row_nor_the_mean_is_a_422_naming_it(client):
    run = create(client, preset="xor")
    for bad in ("-1", "first", "1.5", "123456", ""):
        for method, path in (("get", "state"), ("post", "step"), ("post", "pause")):
            kwargs = {"json": {"steps": 1}} if path == "step" else {}
            r = getattr(client, method)(f"/api/v1/runs/{run}/{path}?sample={bad}", **kwargs)
            assert r.status_code == 422, (bad, path, r.text)
            assert r.json()["detail"][0]["loc"][-1] == "sample", (bad, path)
    assert client.get(f"/api/v1/runs/{run}/state").json()["step"] == 0  # no step was taken


def test_edges_only_sends_an_images_first_layer_matrix_as_each_rows_exact_top(client):
    run = create(client, preset="digits")
    answer = client.post(
        f"/api/v1/runs/{run}/step?format=compact&edges_only=layers.dW&fields=step,layers.W,layers.dW",
        json={"steps": 2},
    ).json()
    full = client.get(f"/api/v1/runs/{run}/state").json()
    first = answer["layers"][0]
    assert first["W"]["dtype"] == "i8"  # not named: whole, as before
    top = first["dW"]
    assert top["dtype"] == "top" and top["shape"] == [16, 784]
    columns = np.frombuffer(base64.b64decode(top["index"]), dtype="<u2").reshape(16, 8)
    values = np.frombuffer(base64.b64decode(top["data"]), dtype="<f4").reshape(16, 8)
    exact = np.array(full["layers"][0]["dW"])
    for i in range(16):  # each row's 8 largest |∂L/∂w|, largest first, as float32
        assert list(columns[i]) == list(np.argsort(-np.abs(exact[i]), kind="stable")[:8])
        np.testing.assert_allclose(values[i], exact[i][columns[i]], rtol=1e-7)
    assert answer["layers"][1]["dW"]["dtype"] == "f32"  # the other layers are not an image's
    paused = client.post(f"/api/v1/runs/{run}/pause?format=compact&edges_only=layers.W,layers.dW").json()
    assert paused["layers"][0]["W"]["dtype"] == paused["layers"][0]["dW"]["dtype"] == "top"


def test_edges_only_names_only_matrices_and_leaves_a_plane_alone(client):
    run = create(client, preset="xor")
    for bad in ("layers.a", "W", "layers.W,loss"):
        for method, path in (("get", "state"), ("post", "step"), ("post", "pause")):
            kwargs = {"json": {"steps": 1}} if path == "step" else {}
            r = getattr(client, method)(f"/api/v1/runs/{run}/{path}?edges_only={bad}", **kwargs)
            assert r.status_code == 422, (bad, path, r.text)
            assert r.json()["detail"][0]["loc"][-1] == "edges_only", (bad, path)
    plane = client.get(f"/api/v1/runs/{run}/state?edges_only=layers.W").json()
    assert plane == client.get(f"/api/v1/runs/{run}/state").json()  # no image: nothing to cut
