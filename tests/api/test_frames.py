"""Compact frames (app/frames.py): what each packing keeps, and the API's format=compact."""

from __future__ import annotations

import base64

import numpy as np

from app.frames import TOP_PER_ROW, WHOLE_SECONDS, compact, pack, top_columns, top_of_rows
from tests.api.test_stream import events


def unpack(p: dict) -> np.ndarray:
    raw = base64.b64decode(p["data"])
    if p["dtype"] == "f32":
        values = np.frombuffer(raw, dtype="<f4").astype(np.float64)
    elif p["dtype"] == "f16":
        values = np.frombuffer(raw, dtype="<f2").astype(np.float64) * p["scale"]
    elif p["dtype"] == "i8":
        scale = np.asarray(p["scale"], dtype=np.float64)
        values = np.frombuffer(raw, dtype=np.int8).reshape(p["shape"]) * (scale[:, None] / 127)
    else:
        q = np.frombuffer(raw, dtype=np.uint8)
        if "raised" in p:
            raised = np.unpackbits(np.frombuffer(base64.b64decode(p["raised"]), dtype=np.uint8))
            q = np.zeros(np.prod(p["shape"]), dtype=np.uint8)
            q[raised[: q.size].astype(bool)] = np.frombuffer(raw, dtype=np.uint8)
        values = p["lo"] + q * ((p["hi"] - p["lo"]) / 255)
    return values.reshape(p["shape"])


def test_pixels_in_256_levels_travel_as_bytes_and_come_back_exactly():
    pixels = np.random.default_rng(0).integers(0, 256, size=(32, 784)) / 255
    p = pack(pixels, colour_only=True)
    assert p["dtype"] == "u8" and len(base64.b64decode(p["data"])) == pixels.size
    assert np.abs(unpack(p) - pixels).max() < 1e-12


def test_a_grid_of_every_layer_in_one_pass_is_each_layer_as_levels_says():
    """layer_levels packs all layers at once: within half a level of each neuron's own range,
    and the same bytes as `levels` per layer (a constant neuron, a NaN layer included)."""
    from app.frames import layer_levels, levels

    rng = np.random.default_rng(2)
    layers = [rng.uniform(-1, 1, size=(400, 2)), np.tanh(rng.normal(size=(400, 5))), rng.random((400, 1))]
    layers[1][:, 3] = 0.25  # a neuron the same everywhere
    packed = layer_levels(layers)
    for a, p in zip(layers, packed, strict=True):
        one = levels(a.T)
        assert p["shape"] == one["shape"] == [a.shape[1], a.shape[0]] and p["data"] == one["data"]
        assert (p["lo"] == one["lo"]).all() and (p["hi"] == one["hi"]).all()
        span = np.where(p["hi"] > p["lo"], p["hi"] - p["lo"], 1.0)
        q = np.frombuffer(base64.b64decode(p["data"]), dtype=np.uint8).reshape(p["shape"])
        drawn = p["lo"][:, None] + q * ((p["hi"] - p["lo"]) / 255)[:, None]
        assert (np.abs(drawn - a.T) <= 0.5 * span[:, None] / 255 + 1e-12).all()
    layers[2][7, 0] = np.nan
    assert layer_levels(layers)[2]["dtype"] == "f32" and layer_levels(layers)[0]["dtype"] == "u8"


def test_digits_travel_as_the_bitmap_of_their_strokes_and_their_bytes():
    from engine.datasets import mnist

    images = mnist()[0][:32].reshape(32, -1) / 255
    p = pack(images, colour_only=False)
    assert p["dtype"] == "u8" and "raised" in p
    assert len(base64.b64decode(p["data"])) == (images > 0).sum()  # only the strokes' bytes
    assert len(base64.b64decode(p["raised"])) == images.size // 8
    assert np.abs(unpack(p) - images).max() < 1e-12
    even = pack(np.arange(256.0 * 4) % 256, colour_only=False)  # hardly a 0: plain bytes
    assert "raised" not in even and (unpack(even) == np.arange(256.0 * 4) % 256).all()


def test_a_colour_only_matrix_is_within_half_a_level_of_127():
    w = np.random.default_rng(1).normal(size=(16, 784))
    p = pack(w, colour_only=True)
    assert p["dtype"] == "i8" and p["scale"].tolist() == np.abs(w).max(axis=1).tolist()
    error = np.abs(unpack(p) - w).max(axis=1)
    assert (error <= 0.5 * p["scale"] / 127 + 1e-12).all()  # half a level of its row's largest
    ranked = np.argsort(-np.abs(w), axis=1, kind="stable")[:, :8]
    assert (p["top"] == ranked).all()


def test_non_finite_values_keep_their_names_in_float32():
    a = np.array([[1.5, np.nan], [np.inf, -np.inf]] * 40)
    p = pack(a, colour_only=True)
    assert p["dtype"] == "f32"
    back = unpack(p)
    assert np.isnan(back[0, 1]) and back[1, 0] == np.inf and back[1, 1] == -np.inf and back[0, 0] == 1.5


def test_small_arrays_and_scalars_stay_exact():
    state = {"loss": 0.1234567890123, "layers": [{"W": np.array([[0.1, 0.2]]), "dW": np.ones((40, 80)) / 3}]}
    out = compact(state, exact_below=64, colour_only=frozenset({"dW"}))
    assert out["loss"] == state["loss"]
    assert out["layers"][0]["W"] is state["layers"][0]["W"]
    assert out["layers"][0]["dW"]["dtype"] in {"i8", "u8"}  # 80 wide
    assert compact(state, 64, frozenset())["layers"][0]["dW"]["dtype"] in {"f32", "u8"}


def test_a_compact_step_answer_is_small_and_the_json_state_unchanged(client):
    run_id = client.post("/api/v1/runs", json={"preset": "digits"}).json()["id"]
    full = client.post(f"/api/v1/runs/{run_id}/step", json={"steps": 1})
    small = client.get(f"/api/v1/runs/{run_id}/state", params={"format": "compact"})
    assert small.status_code == 200 and len(small.content) * 6 < len(full.content)
    packed = small.json()
    assert packed["step"] == 1 and packed["loss"] == full.json()["loss"]
    w = unpack(packed["layers"][0]["W"])
    exact = np.array(full.json()["layers"][0]["W"])
    assert (
        np.abs(w - exact).max(axis=1) <= 0.5 * np.array(packed["layers"][0]["W"]["scale"]) / 127 + 1e-12
    ).all()
    assert packed["layers"][2]["b"] == full.json()["layers"][2]["b"]  # ten numbers stay exact
    assert client.get(f"/api/v1/runs/{run_id}/state", params={"format": "nope"}).status_code == 422


def test_half_floats_keep_eleven_bits_of_each_number_and_every_sign():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(32, 16)) * 10.0 ** rng.integers(-6, 1, size=(32, 16))
    a[0, :3] = [1e-30, -1e-30, 0.0]  # far below the largest: drawn with its sign, 0 stays 0
    p = pack(a, colour_only=False, half=True)
    assert p["dtype"] == "f16" and len(base64.b64decode(p["data"])) == 2 * a.size
    back = unpack(p)
    assert (np.sign(back) == np.sign(a)).all()
    normal = np.abs(a) >= 2.0**-14 * p["scale"]  # where a half float has its 11 bits
    assert (np.abs(back - a)[normal] <= 2.0**-11 * np.abs(a)[normal]).all()
    assert p["scale"] >= np.abs(a).max() > p["scale"] / 2  # a power of two just above the largest
    assert pack(np.array([np.nan, 1.0] * 40), colour_only=False, half=True)["dtype"] == "f32"


def test_the_top_of_rows_is_each_rows_largest_in_exact_order():
    w = np.random.default_rng(3).normal(size=(16, 784))
    w[0, 5] = w[0, 9] = 9.0  # a tie keeps column order
    p = top_of_rows(w)
    index = np.frombuffer(base64.b64decode(p["index"]), dtype="<u2").reshape(16, -1)
    values = np.frombuffer(base64.b64decode(p["data"]), dtype="<f4").reshape(16, -1)
    assert (index == np.argsort(-np.abs(w), axis=1, kind="stable")[:, : index.shape[1]]).all()
    assert index[0, :2].tolist() == [5, 9]
    assert (values == np.take_along_axis(w, index.astype(int), axis=1).astype(np.float32)).all()


def test_each_rows_top_columns_are_a_stable_sorts_first_ones():
    """The partial ranking equals sorting every row by -|v| (stable: equal values in column
    order) and keeping the first columns, ties and zeros included."""
    rng = np.random.default_rng(0)
    for trial in range(2000):
        v = rng.normal(size=(rng.integers(1, 20), rng.integers(1, 60)))
        if trial % 4 == 1:
            v = rng.integers(-3, 4, size=v.shape).astype(float)  # many ties
        elif trial % 4 == 2:
            v[rng.random(v.shape) < 0.9] = 0.0  # mostly zeros: a row with fewer than 8 others
        elif trial % 4 == 3:
            v[0, 0] = np.nan
        assert (top_columns(v) == np.argsort(-np.abs(v), axis=1, kind="stable")[:, :TOP_PER_ROW]).all()


def test_a_played_digit_frame_sends_its_first_layer_whole_only_every_so_often(client):
    """The first frame carries the image layer's matrices whole; the next ones (within
    WHOLE_SECONDS) only each row's top; the small layers and activations as half floats."""
    run_id = client.post("/api/v1/runs", json={"preset": "digits"}).json()["id"]
    fields = "step,batch,layers.a,layers.delta,layers.W,layers.dW"
    text = client.get(
        f"/api/v1/runs/{run_id}/stream?rate=40&max_frames=3&format=compact&fields={fields}"
    ).text
    frames = [data for kind, data in events(text) if kind == "state"]
    first, *later = frames
    assert first["layers"][0]["W"]["dtype"] == "i8" and first["layers"][0]["dW"]["dtype"] == "i8"
    assert any(f["layers"][0]["W"]["dtype"] == "top" for f in later), WHOLE_SECONDS
    for frame in frames:
        assert {frame["layers"][1][k]["dtype"] for k in ("W", "dW", "a", "delta")} == {"f16"}
    # the exact State at the last frame's step: the tops are its own
    exact = client.get(f"/api/v1/runs/{run_id}/state").json()
    assert exact["step"] == frames[-1]["step"]
    W = np.array(exact["layers"][0]["W"])
    last = frames[-1]["layers"][0]["W"]
    if last["dtype"] == "top":
        index = np.frombuffer(base64.b64decode(last["index"]), dtype="<u2").reshape(16, -1)
        assert (index == np.argsort(-np.abs(W), axis=1, kind="stable")[:, : index.shape[1]]).all()
    # at rest (a Step's answer) nothing is half or partial
    rest = client.get(f"/api/v1/runs/{run_id}/state", params={"format": "compact"}).json()
    assert rest["layers"][0]["W"]["dtype"] == "i8" and rest["layers"][1]["W"]["dtype"] == "f32"


def test_whole_fields_come_only_in_the_frames_that_carry_the_image_layer_whole(client):
    run_id = client.post("/api/v1/runs", json={"preset": "digits"}).json()["id"]
    query = "rate=40&max_frames=3&format=compact&fields=step,layers.dW&whole_fields=layers.W"
    frames = [
        d for kind, d in events(client.get(f"/api/v1/runs/{run_id}/stream?{query}").text) if kind == "state"
    ]
    first, *later = frames
    assert first["layers"][0]["dW"]["dtype"] == "i8" and first["layers"][0]["W"]["dtype"] == "i8"
    assert first["layers"][1]["W"]["dtype"] == "f16"  # the small layers' weights too
    partial = [f for f in later if f["layers"][0]["dW"]["dtype"] == "top"]
    assert partial and all("W" not in layer for f in partial for layer in f["layers"])
    plain = client.get(f"/api/v1/runs/{run_id}/stream?rate=40&max_frames=2&fields=step&whole_fields=layers.b")
    assert all("layers" in d for kind, d in events(plain.text) if kind == "state")  # JSON frames: every one
    bad = client.get(f"/api/v1/runs/{run_id}/stream?format=compact&fields=step&whole_fields=layers.nope")
    assert bad.status_code == 422 and "whole_fields" in bad.text


def played_batches(client, query: str) -> list[dict]:
    run_id = client.post("/api/v1/runs", json={"preset": "digits"}).json()["id"]
    text = client.get(
        f"/api/v1/runs/{run_id}/stream?rate=40&max_frames=4&format=compact&fields=step,batch&{query}"
    )
    assert text.status_code == 200, text.text
    return [frame["batch"] for kind, frame in events(text.text) if kind == "state"]


def test_a_played_frame_sends_each_training_rows_inputs_once(client):
    """Within the first epoch every batch is new: each frame sends every row's inputs, by its
    row number; a row sent once is never sent again in that stream."""
    batches = played_batches(client, "")
    sent: list[int] = []
    for batch in batches:
        assert set(batch["rows"]) == set(batch["index"]) - set(sent)
        if batch["rows"]:  # a busy server may send a step's frame twice: nothing new, an empty list
            assert unpack(batch["rows_x"]).shape == (len(batch["rows"]), 784)
        sent += batch["rows"]
    assert len(sent) == len(set(sent)) > 32


def test_a_stream_for_one_sample_sends_that_samples_rows_or_the_batch_mean(client):
    """`sample=` as on a State at rest (app/sampled.py): of every per-sample array (the inputs,
    a, δ) the row the network view draws, or the batch mean; a row past a short batch is its
    last. The 31 rows the view does not draw were most of a played digit frame."""
    run_id = client.post("/api/v1/runs", json={"preset": "digits"}).json()["id"]
    fields = "step,batch,layers.a,layers.delta"
    for sample, form, row in (("3", "row", 3), ("4000", "row", 31), ("mean", "mean", None)):
        query = f"rate=40&max_frames=3&format=compact&fields={fields}&sample={sample}"
        text = client.get(f"/api/v1/runs/{run_id}/stream?{query}").text
        frames = [frame for kind, frame in events(text) if kind == "state"]
        assert len(frames) == 3
        exact = client.get(f"/api/v1/runs/{run_id}/state", params={"fields": fields}).json()
        last = frames[-1]
        assert exact["step"] == last["step"] and "rows" not in last["batch"]
        for path, got, rows in [
            ("x", last["batch"]["x"], exact["batch"]["x"]),
            *[
                (f"{l}.{k}", last["layers"][l][k], exact["layers"][l][k])
                for l in range(3)
                for k in ("a", "delta")
            ],
        ]:
            assert got["dtype"] == form and got["shape"] == list(np.shape(rows)), (sample, path)
            want = np.mean(rows, axis=0) if row is None else np.asarray(rows[row])
            data = unpack(got["data"]).ravel() if isinstance(got["data"], dict) else np.asarray(got["data"])
            assert got.get("row") == row and np.allclose(data, want, rtol=2e-3, atol=1e-9), (sample, path)
    bad = client.get(f"/api/v1/runs/{run_id}/stream?format=compact&sample=-1")
    assert bad.status_code == 422 and "sample" in bad.text
