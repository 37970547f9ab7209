"""POST /step?include=… (and GET /state, POST /pause): the answer carries, beside the State, what the page's panels draw for
the new step (app/extras.py), each part equal to its own endpoint's answer at that step."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from app.budget import Shape, check_steps
from app.extras import extras_work
from app.settings import Settings
from engine.presets import PRESETS, resolve


def create(client, **config) -> str:
    return client.post("/api/v1/runs", json=config).json()["id"]


def decode(packed: dict) -> np.ndarray:
    """app/frames.py `levels`: a byte per value between each row's lo and hi."""
    q = np.frombuffer(base64.b64decode(packed["data"]), dtype=np.uint8).reshape(packed["shape"])
    lo, hi = np.array(packed["lo"]), np.array(packed["hi"])
    return lo[:, None] + q * ((hi - lo) / 255)[:, None]


def test_each_part_is_what_its_own_endpoint_answers_at_the_new_step(client):
    run = create(client, preset="xor")
    client.post(f"/api/v1/runs/{run}/step", json={"steps": 3})
    answer = client.post(
        f"/api/v1/runs/{run}/step?include=history,preview,neurons&since=3", json={"steps": 2}
    ).json()
    assert set(answer) == {"state", "history", "preview", "neurons"}
    assert answer["state"] == client.get(f"/api/v1/runs/{run}/state").json()
    assert answer["state"]["step"] == 5
    assert answer["history"] == client.get(f"/api/v1/runs/{run}/history?since=3").json()
    assert answer["history"]["step"] == [3, 4]  # only the two updates since the reader's step 3
    assert answer["preview"] == client.get(f"/api/v1/runs/{run}/preview").json()
    assert answer["neurons"] == client.get(f"/api/v1/runs/{run}/neurons").json()


def test_the_state_keeps_its_fields_and_format(client):
    run = create(client, preset="digits")
    query = "fields=step,loss,layers.W&format=compact&include=history"
    answer = client.post(f"/api/v1/runs/{run}/step?{query}", json={"steps": 1}).json()
    assert set(answer["state"]) == {"step", "loss", "layers"}
    assert answer["state"]["layers"][0]["W"]["dtype"] == "i8"  # packed as without include
    assert answer["history"]["step"] == [0]


def test_the_grid_is_every_neuron_over_the_plane_within_half_a_colour_level(client):
    run = create(client, preset="xor", hidden=[3])
    answer = client.post(f"/api/v1/runs/{run}/step?include=grid&grid=12", json={"steps": 5}).json()
    grid = answer["grid"]
    xs, ys = np.array(grid["xs"]), np.array(grid["ys"])
    assert len(xs) == len(ys) == 12
    assert xs[0] == pytest.approx(-0.1) and xs[-1] == pytest.approx(1.1)  # XOR's corners, a tenth beyond
    points = [[x, y] for y in ys for x in xs]  # row r of the lattice is ys[r]
    exact = client.post(f"/api/v1/runs/{run}/predict", json={"x": points, "layers": True}).json()["layers"]
    assert [g["shape"] for g in grid["layers"]] == [[3, 144], [1, 144]]
    for packed, layer in zip(grid["layers"], exact, strict=True):
        truth = np.array(layer).T  # per neuron, its 144 outputs
        drawn = decode(packed)
        half_level = (np.array(packed["hi"]) - np.array(packed["lo"]))[:, None] / 510
        assert np.all(np.abs(drawn - truth) <= half_level + 1e-12)
        assert np.array_equal(drawn.min(axis=1), truth.min(axis=1))  # each neuron's range exactly
        assert np.array_equal(drawn.max(axis=1), truth.max(axis=1))


@pytest.mark.parametrize(
    "query, preset, field",
    [
        ("include=history,weights", "xor", "include"),
        ("include=grid", "digits", "include"),  # 784 inputs: no plane to draw over
        ("include=history&since=-1", "xor", "since"),
        ("include=grid&grid=1000", "xor", "grid"),
    ],
)
def test_bad_parts_are_refused_naming_the_field(client, query, preset, field):
    run = create(client, preset=preset)
    answer = client.post(f"/api/v1/runs/{run}/step?{query}", json={"steps": 1})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][-1] == field
    assert client.get(f"/api/v1/runs/{run}").json()["step"] == 0  # refused before any work


def test_get_grid_is_the_steps_grid(client):
    run = create(client, preset="xor")
    carried = client.post(f"/api/v1/runs/{run}/step?include=grid", json={"steps": 4}).json()["grid"]
    assert client.get(f"/api/v1/runs/{run}/grid").json() == carried
    digits = create(client, preset="digits")
    refused = client.get(f"/api/v1/runs/{digits}/grid")
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "run_id"


def test_a_pause_back_to_a_step_carries_the_same_parts(client):
    run = create(client, preset="xor")
    client.post(f"/api/v1/runs/{run}/step", json={"steps": 9})
    answer = client.post(
        f"/api/v1/runs/{run}/pause?step=4&include=history,preview,neurons,grid&since=0"
    ).json()
    assert answer["state"]["step"] == 4 == client.get(f"/api/v1/runs/{run}").json()["step"]
    assert answer["state"] == client.get(f"/api/v1/runs/{run}/state").json()
    assert answer["history"] == client.get(f"/api/v1/runs/{run}/history").json()  # since 0: the whole history
    assert answer["history"]["step"] == [0, 1, 2, 3]
    assert answer["preview"] == client.get(f"/api/v1/runs/{run}/preview").json()
    assert answer["grid"] == client.get(f"/api/v1/runs/{run}/grid").json()
    refused = client.post(f"/api/v1/runs/{run}/pause?step=2&include=nope")
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "include"
    assert client.get(f"/api/v1/runs/{run}").json()["step"] == 4  # refused before going back


def test_a_page_opening_a_run_gets_every_part_in_one_get_state(client):
    """GET /state?include=…: what a page opening a run draws, in one answer, each part what its
    own endpoint answers at the run's step; the same State as without `include`."""
    run = create(client, preset="xor")
    client.post(f"/api/v1/runs/{run}/step", json={"steps": 6})
    answer = client.get(f"/api/v1/runs/{run}/state?include=history,preview,neurons,grid&grid=20").json()
    assert set(answer) == {"state", "history", "preview", "neurons", "grid"}
    assert answer["state"] == client.get(f"/api/v1/runs/{run}/state").json()
    assert answer["state"]["step"] == 6  # reading moved nothing
    assert answer["history"] == client.get(f"/api/v1/runs/{run}/history").json()
    assert answer["preview"] == client.get(f"/api/v1/runs/{run}/preview").json()
    assert answer["neurons"] == client.get(f"/api/v1/runs/{run}/neurons").json()
    assert answer["grid"] == client.get(f"/api/v1/runs/{run}/grid?points=20").json()
    since = client.get(f"/api/v1/runs/{run}/state?include=history&since=4").json()
    assert since["history"]["step"] == [4, 5]


@pytest.mark.parametrize(
    "query, preset, field",
    [
        ("include=history,weights", "xor", "include"),
        ("include=grid", "digits", "include"),
        ("include=history&since=-1", "xor", "since"),
        ("include=grid&grid=1000", "xor", "grid"),
    ],
)
def test_get_state_refuses_bad_parts_naming_the_field(client, query, preset, field):
    run = create(client, preset=preset)
    answer = client.get(f"/api/v1/runs/{run}/state?{query}")
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"][-1] == field


@pytest.mark.parametrize("lesson", sorted(PRESETS))
def test_a_step_click_with_every_panel_is_cheap_work_on_every_lesson(lesson):
    """A Step click (one step, and every part a view may draw with it) never goes to the heavy
    lane, whose one thread and short queue answer 503 "busy": a class of 30 clicking Step on the
    digit net got 55 of them when the neuron check and preview were heavy work (67 M > 5 M)."""
    shape = Shape.of_config(resolve({"preset": lesson}))
    parts = ("history", "preview", "neurons") + (("grid",) if shape.sizes[0] == 2 else ())
    settings = Settings()
    work = check_steps(shape, 1, settings) + extras_work(shape, parts, 40, settings)
    assert work <= settings.cheap_work, f"{lesson}: {work:,} parameter·rows"
