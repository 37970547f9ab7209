"""The loss surface: its centre is the loss at the current point, its slopes the gradient."""

from __future__ import annotations

import numpy as np
import pytest

from engine import training
from engine.config import ConfigError, RunConfig
from engine.presets import resolve
from engine.surface import Coordinate, flat_index, loss_surface, parse_coordinate
from engine.trainer import Run

from .helpers import xor

CONFIGS = {
    "xor": xor(hidden=[3, 2], activation="tanh", seed=3),
    "chain": resolve({"preset": "chain"}),
    "digits": resolve({"preset": "digits"}),
    "penalty-bn": xor(
        hidden=[4, 3], activation="relu", batch_norm=True, l1=0.01, l2=0.05, init="normal", seed=4
    ),
    "softmax-sse": xor(hidden=[3], output_activation="softmax", loss="sse", seed=2),
    "bce": xor(hidden=[3], output_activation="sigmoid", loss="bce", seed=2),
}
PAIRS = {
    "xor": ("W1:1:2", "b1:1"),
    "chain": ("W1:0:0", "b1:0"),
    "digits": ("W0:3:400", "W2:7:3"),
    "penalty-bn": ("W0:2:1", "W1:0:3"),
    "softmax-sse": ("W0:0:1", "W1:1:2"),
    "bce": ("b0:2", "W1:0:0"),
}


def direct_loss(run: Run, cs: tuple[Coordinate, Coordinate], values: tuple[float, float]) -> float:
    """The independent truth: set the two parameters and run the engine's own loss."""
    net = run.net.copy()
    for c, v in zip(cs, values, strict=True):
        net.params[c.name][c.index] = v
    plan = run.plan()
    return training.total_loss(run.config, net, plan.passed.layers[0].a_prev, plan.passed.y)


@pytest.fixture(params=list(CONFIGS))
def case(request) -> tuple[Run, tuple[Coordinate, Coordinate]]:
    run = Run(CONFIGS[request.param])
    run.advance(4)
    p, q = PAIRS[request.param]
    return run, (parse_coordinate("p", p, run.net), parse_coordinate("q", q, run.net))


def test_centre_is_the_loss_at_the_current_point(case):
    run, (p, q) = case
    s = loss_surface(run, p, q, points=11)
    c = s["points"] // 2
    plan = run.plan()
    assert s["offsets"][c] == 0.0
    assert s["loss"][c, c] == pytest.approx(plan.passed.loss + plan.penalty, abs=1e-12, rel=1e-12)
    assert s["loss_at_centre"] == plan.passed.loss + plan.penalty


def test_every_grid_point_is_the_loss_with_those_two_values(case):
    run, cs = case
    s = loss_surface(run, *cs, points=7, radius=0.7)
    for r, c in [(0, 0), (6, 6), (0, 6), (2, 5), (3, 1)]:
        truth = direct_loss(run, cs, (s["first"][c], s["second"][r]))
        assert s["loss"][r, c] == pytest.approx(truth, rel=1e-12, abs=1e-13), (r, c)


def test_slopes_through_the_centre_are_the_gradient(case):
    """A narrow grid: central differences along each axis through the centre against the
    gradient backprop gives (and the arrow shows)."""
    run, cs = case
    h = 1e-5
    s = loss_surface(run, *cs, points=3, radius=h)
    L = s["loss"]
    along_first = (L[1, 2] - L[1, 0]) / (2 * h)
    along_second = (L[2, 1] - L[0, 1]) / (2 * h)
    g = run.plan().grad
    for slope, c in ((along_first, cs[0]), (along_second, cs[1])):
        truth = g[flat_index(run.net, c)]
        assert slope == pytest.approx(truth, rel=1e-5, abs=1e-8)
    np.testing.assert_array_equal(s["gradient"], g[[flat_index(run.net, c) for c in cs]])
    np.testing.assert_array_equal(s["update"], run.plan().update[[flat_index(run.net, c) for c in cs]])


def test_the_step_taken_lands_where_the_update_says():
    run = Run(resolve({"preset": "chain"}))
    cs = (Coordinate(1, 0, 0), Coordinate(1, 0, None))
    before = loss_surface(run, *cs)
    run.advance(1)
    after = run.net.flat[[flat_index(run.net, c) for c in cs]]
    np.testing.assert_array_equal(after, before["centre"] + before["update"])


def test_a_big_net_gets_fewer_points_not_more_work():
    run = Run(RunConfig.from_dict({**resolve({"preset": "digits"}).to_dict(), "batch_size": 0}))
    s = loss_surface(run, Coordinate(0, 0, 0), Coordinate(0, 0, None), points=41)
    assert s["points_asked"] == 41 and 3 <= s["points"] < 41 and s["points"] % 2 == 1


def test_the_radius_covers_the_path():
    run = Run(resolve({"preset": "chain"}))
    path = np.array([[-3.0, 0.2], [-2.0, 0.5]])
    s = loss_surface(run, Coordinate(1, 0, 0), Coordinate(1, 0, None), path=path)
    assert s["radius"] >= np.max(np.abs(path - s["centre"]))


@pytest.mark.parametrize(
    ("text", "field"), [("W0:9:0", "p"), ("W0:0", "p"), ("b0:0:1", "p"), ("x", "p"), ("W7:0:0", "p")]
)
def test_bad_coordinates_name_the_field(text, field):
    run = Run(xor())
    with pytest.raises(ConfigError) as error:
        parse_coordinate("p", text, run.net)
    assert error.value.field == field


@pytest.mark.parametrize(
    ("kwargs", "field"), [({"points": 4}, "points"), ({"points": 43}, "points"), ({"radius": 0.0}, "radius")]
)
def test_bad_grids_name_the_field(kwargs, field):
    run = Run(xor())
    with pytest.raises(ConfigError) as error:
        loss_surface(run, Coordinate(0, 0, 0), Coordinate(0, 0, None), **kwargs)
    assert error.value.field == field
