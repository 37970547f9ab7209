"""Shares, loss surface and neuron health over HTTP: the engine's numbers, bounded, with 4xx for bad input."""

from __future__ import annotations

import re

import numpy as np
import pytest

from engine.health import neuron_health
from engine.presets import resolve
from engine.shares import weight_shares
from engine.surface import Coordinate, loss_surface
from engine.trainer import Run


def create(client, **config) -> str:
    response = client.post("/api/v1/runs", json=config)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def stepped(client, run_id: str, n: int) -> None:
    assert client.post(f"/api/v1/runs/{run_id}/step", json={"steps": n}).status_code == 200


def test_shares_are_the_engines(client):
    run_id = create(client, preset="xor")
    stepped(client, run_id, 7)
    body = client.get(f"/api/v1/runs/{run_id}/shares", params={"layer": 1, "i": 0, "j": 1}).json()
    run = Run(resolve({"preset": "xor"}))
    run.advance(7)
    truth = weight_shares(run, 1, 0, 1)
    assert body["shares"] == truth["shares"].tolist() and body["sum"] == truth["sum"]
    assert body["gradient"] == run.state().layers[1].dW[0, 1] and body["step"] == 7
    bias = client.get(f"/api/v1/runs/{run_id}/shares", params={"layer": 0, "i": 1}).json()
    assert bias["parameter"] == "b0" and bias["j"] is None and len(bias["shares"]) == 4


def test_shares_on_the_digit_net_name_the_images(client):
    run_id = create(client, preset="digits")
    body = client.get(f"/api/v1/runs/{run_id}/shares", params={"layer": 0, "i": 2, "j": 400}).json()
    assert body["batch_size"] == 32 and len(body["rows"]) == 32
    shares = np.array(body["shares"])
    assert all(shares[s] < 0 for s in body["pushes_up"]) and all(shares[s] > 0 for s in body["pushes_down"])


def test_surface_centre_is_the_state_loss_and_is_cached(client):
    run_id = create(client, preset="chain")
    stepped(client, run_id, 3)
    state = client.get(f"/api/v1/runs/{run_id}/state").json()
    query = {"p": "W1:0:0", "points": 21}
    first = client.get(f"/api/v1/runs/{run_id}/surface", params=query)
    body = first.json()
    c = body["points"] // 2
    assert body["parameters"] == ["W1:0:0", "b1:0"]  # q defaults to the weight's own neuron's bias
    assert body["loss"][c][c] == pytest.approx(state["loss"] + state["penalty"], abs=1e-12)
    assert body["centre"] == [state["layers"][1]["W"][0][0], state["layers"][1]["b"][0]]
    assert len(body["path"]) == 4 and body["path"][-1] == body["centre"]  # steps 0..3
    again = client.get(f"/api/v1/runs/{run_id}/surface", params=query)
    assert again.content == first.content
    # the path's replay left the run where it was
    assert client.get(f"/api/v1/runs/{run_id}/state").json()["loss"] == state["loss"]
    stepped(client, run_id, 1)
    moved = client.get(f"/api/v1/runs/{run_id}/surface", params=query).json()
    assert moved["step"] == 4 and moved["path"][-2] == body["centre"]


def test_surface_under_batch_norm_pairs_a_weight_with_a_weight_not_the_cancelled_bias(client):
    """Batch norm takes the layer's bias out again with the batch mean: along it the loss is
    flat (the batch-norm lesson's surface taught nothing). The default partner is the next
    weight into the same neuron there; a plain layer keeps the bias."""
    run_id = create(client, preset="batchnorm")
    stepped(client, run_id, 50)
    state = client.get(f"/api/v1/runs/{run_id}/state").json()
    hidden = state["layers"][0]
    assert abs(hidden["db"][1]) < 1e-12 < abs(hidden["dW"][1][0])  # what the flat axis was
    body = client.get(f"/api/v1/runs/{run_id}/surface", params={"p": "W0:1:0", "points": 11}).json()
    assert body["parameters"] == ["W0:1:0", "W0:1:1"]
    loss = np.array(body["loss"])
    assert np.ptp(loss, axis=0).max() > 1e-6  # the loss moves along q
    bias = client.get(f"/api/v1/runs/{run_id}/surface", params={"p": "W0:1:0", "q": "b0:1", "points": 11})
    assert np.ptp(np.array(bias.json()["loss"]), axis=0).max() < 1e-9  # flat along the bias, as it was
    last = len(state["layers"]) - 1  # the output layer is not batch-normed: its bias is its partner
    assert (
        client.get(f"/api/v1/runs/{run_id}/surface", params={"p": f"W{last}:0:0"}).json()["parameters"][1]
        == f"b{last}:0"
    )


def test_surface_on_the_digit_net_is_bounded(client):
    run_id = create(client, preset="digits", batch_size=0)
    body = client.get(
        f"/api/v1/runs/{run_id}/surface", params={"p": "W0:3:300", "q": "W1:0:3", "points": 41}
    ).json()
    assert body["points_asked"] == 41 and body["points"] < 41
    run = Run(resolve({"preset": "digits", "batch_size": 0}))
    truth = loss_surface(
        run, Coordinate(0, 3, 300), Coordinate(1, 0, 3), points=41, path=np.array(body["path"])
    )
    assert body["loss"] == truth["loss"].tolist()


def test_neurons_flag_dead_relus(client):
    config = {
        "dataset": "moons",
        "n_samples": 200,
        "noise": 0.1,
        "hidden": [12, 12],
        "activation": "relu",
        "output_activation": "sigmoid",
        "loss": "bce",
        "init": "he",
        "learning_rate": 3.0,
        "batch_size": 10,
        "seed": 1,
    }
    run_id = create(client, **config)
    stepped(client, run_id, 50)
    body = client.get(f"/api/v1/runs/{run_id}/neurons").json()
    run = Run(resolve(config))
    run.advance(50)
    truth = neuron_health(run)
    assert body["dead"] == truth["dead"] >= 6 and body["hidden"] == 24
    assert [layer["dead"] for layer in body["layers"]] == [
        layer["dead"].tolist() for layer in truth["layers"]
    ]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("shares", {"layer": 5, "i": 0, "j": 0}, "layer"),
        ("shares", {"layer": 0, "i": 2, "j": 0}, "i"),
        ("shares", {"layer": 0, "i": 0, "j": 9}, "j"),
        ("surface", {"p": "W0:0"}, "p"),
        ("surface", {"p": "W0:0:0", "q": "W0:0:0"}, "q"),
        ("surface", {"p": "W0:0:0", "q": "b3:0"}, "q"),
        ("surface", {"p": "W0:0:0", "points": 20}, "points"),
        ("surface", {"p": "W0:0:0", "points": 43}, "points"),
        ("surface", {"p": "W0:0:0", "radius": "nan"}, "radius"),
        ("surface", {"p": "W0:0:0", "path": 51}, "path"),
    ],
)
def test_bad_queries_are_422_naming_the_field(client, path, params, field):
    run_id = create(client, preset="xor")
    response = client.get(f"/api/v1/runs/{run_id}/{path}", params=params)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == field


def test_a_name_that_is_no_parameter_is_said_in_signs_any_page_can_show(client):
    """The loss surface over 'foo': a kind of its own (the page words it in its language), and
    what is allowed in signs, not English (a Chinese page read '（允许：W<layer>:<i>:<j> or
    b<layer>:<i>, layer 0 to 1）')."""
    run_id = create(client, preset="xor")
    for p, code in (("foo", "parameter"), ("W0:0", "parameter"), ("W9:0:0", "range")):
        item = client.get(f"/api/v1/runs/{run_id}/surface", params={"p": p}).json()["detail"][0]
        assert (item["loc"][-1], item["code"], item["value"]) == ("p", code, p)
        assert item["allowed"] == "W<l>:<i>:<j>, b<l>:<i>; l = 0…1"
        assert not re.search(r"[a-z]{3,}", item["allowed"]), item["allowed"]


def test_a_missing_run_is_404(client):
    for path in ("shares?layer=0&i=0", "surface?p=W0:0:0", "neurons"):
        assert client.get(f"/api/v1/runs/nope/{path}").status_code == 404


def test_the_documentation_says_its_numbers_not_their_names(client):
    """A description written partly as an f-string said "At most {MAX_POINTS}×{MAX_POINTS}"."""
    spec = client.get("/openapi.json").json()
    texts = [op.get("description", "") for path in spec["paths"].values() for op in path.values()]
    assert not [t for t in texts if re.search(r"\{[A-Z_]+\}", t)]
