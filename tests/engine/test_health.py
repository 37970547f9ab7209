"""Dead and saturated neurons: the flags match their definitions, and ReLUs really die."""

from __future__ import annotations

import numpy as np
import pytest

from engine.activations import ACTIVATIONS, LEAKY_SLOPE
from engine.gradcheck import gradcheck
from engine.health import FLAT, neuron_health
from engine.presets import PRESETS, resolve
from engine.trainer import Run

from .helpers import custom, xor


def test_a_relu_whose_bias_pushes_every_row_below_zero_is_dead():
    """Hand-built: inputs in [0, 1], neuron 0 has z = x0 + x1 − 5 < 0 on every row (dead),
    neuron 1 has z = x0 − 0.5 (inactive on half the rows), neuron 2 z = 10 (alive)."""
    run = Run(
        xor(
            hidden=[3],
            activation="relu",
            weights=[
                {"W": [[1.0, 1.0], [1.0, 0.0], [0.0, 0.0]], "b": [-5.0, -0.5, 10.0]},
                {"W": [[1.0, 1.0, 1.0]], "b": [0.0]},
            ],
        )
    )
    h = neuron_health(run)["layers"][0]
    assert h["dead"].tolist() == [True, False, False]
    np.testing.assert_array_equal(h["inactive"], [1.0, 0.5, 0.0])
    # and dead means what it says: no gradient reaches its incoming weights or bias
    state = run.state()
    assert np.all(state.layers[0].dW[0] == 0) and state.layers[0].db[0] == 0


def test_saturated_means_a_flat_derivative_on_most_rows():
    """sigmoid′(z) < 0.01 needs |z| > 4.6: neuron 0 has z = 10·x0 − 5 ∈ {−5, 5} on every row
    (saturated), neuron 1 z = 10·x0·x1-ish only on one row of four (not), tanh likewise."""
    x = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    weights = [{"W": [[10.0, 0.0], [6.0, 0.0]], "b": [-5.0, 0.0]}, {"W": [[1.0, 1.0]], "b": [0.0]}]
    for act in ("sigmoid", "tanh"):
        run = Run(custom(x, [[0.0], [1.0], [1.0], [0.0]], hidden=[2], activation=act, weights=weights))
        h = neuron_health(run)["layers"][0]
        z = run.state().layers[0].z
        fprime = ACTIVATIONS[act].df(z, ACTIVATIONS[act].f(z))
        np.testing.assert_array_equal(h["flat"], np.mean(fprime < FLAT, axis=0))
        assert h["saturated"].tolist() == [True, False], act
        assert not h["dead"].any()


def test_flags_follow_the_definitions_on_a_trained_net():
    run = Run(xor(hidden=[5, 4], activation="tanh", init="normal", init_scale=3.0, seed=3))
    run.advance(20)
    h = neuron_health(run)
    layers = run.net.forward(run.dataset.x_train, train=False)
    for got, lp in zip(h["layers"], layers[:-1], strict=True):
        flat = np.mean(1 - lp.a**2 < FLAT, axis=0)
        np.testing.assert_array_equal(got["flat"], flat)
        np.testing.assert_array_equal(got["saturated"], flat > 0.5)
    assert h["saturated"] == sum(int(layer["saturated"].sum()) for layer in h["layers"])


def test_the_lessons_large_learning_rate_kills_relus_and_leaky_relu_keeps_them_learning():
    """What the lesson's text says, step by step: half dead by step 10, the rest learning the
    moons for a while (over 90% around step 200), most of the survivors dead between steps 250
    and 280 (three quarters of the net) and the accuracy at 50% from then on."""
    relu = Run(resolve({"preset": "dying_relu"}))
    assert neuron_health(relu)["dead"] == 0  # He init: every neuron starts alive
    relu.advance(10)
    assert neuron_health(relu)["dead"] >= neuron_health(relu)["hidden"] // 2
    accuracy = {}
    for step in range(150, 251, 10):
        relu.advance(step - relu.step)
        accuracy[step] = relu.metrics()["train_accuracy"]
    assert max(v for s, v in accuracy.items() if 180 <= s <= 220) > 0.9, accuracy
    survivors = neuron_health(relu)["hidden"] - neuron_health(relu)["dead"]  # at step 250
    relu.advance(280 - relu.step)
    dead = neuron_health(relu)
    assert dead["hidden"] - dead["dead"] < survivors / 2  # most of the survivors die too
    assert dead["dead"] >= 3 * dead["hidden"] / 4  # three quarters of the net
    for step in (280, PRESETS["dying_relu"].steps, 600):
        relu.advance(step - relu.step)
        assert relu.metrics()["train_accuracy"] == 0.5  # and what is left cannot learn the moons
    leaky = Run(resolve({"preset": "dying_relu", "activation": "leaky_relu"}))
    leaky.advance(PRESETS["dying_relu"].steps)
    assert neuron_health(leaky)["dead"] == 0
    assert leaky.metrics()["train_accuracy"] >= 0.9
    # a leaky unit below zero on every row still gets gradient: 1% of it, not none
    state = leaky.state()
    h = neuron_health(leaky)
    for l, layer in enumerate(h["layers"]):
        for i in np.flatnonzero(layer["inactive"] == 1.0):
            assert np.any(state.layers[l].delta[:, i] != 0)


def test_leaky_relu_derivative_is_the_slope_on_each_side():
    act = ACTIVATIONS["leaky_relu"]
    z = np.array([-2.0, -1e-9, 1e-9, 3.0])
    np.testing.assert_array_equal(act.f(z), [-2.0 * LEAKY_SLOPE, -1e-9 * LEAKY_SLOPE, 1e-9, 3.0])
    np.testing.assert_array_equal(act.df(z, act.f(z)), [LEAKY_SLOPE, LEAKY_SLOPE, 1.0, 1.0])
    h = 1e-6  # away from the kink, the derivative is the difference quotient
    for v in (-1.5, 0.7):
        numeric = (act.f(np.array([v + h])) - act.f(np.array([v - h]))) / (2 * h)
        assert numeric[0] == pytest.approx(act.df(np.array([v]), act.f(np.array([v])))[0], rel=1e-9)


def test_backprop_through_leaky_relu_matches_finite_differences():
    run = Run(xor(hidden=[4, 3], activation="leaky_relu", init="normal", init_scale=0.8, seed=11))
    run.advance(2)
    for layer in run.state().layers[:-1]:
        assert np.min(np.abs(layer.z)) > 1e-4, "a kink inside the difference quotient"  # seed chosen so
        assert np.any(layer.z < 0) and np.any(layer.z > 0)  # both sides of the kink are used
    for check in gradcheck(run):
        np.testing.assert_allclose(check.analytic, check.numeric, rtol=1e-6, atol=1e-9, err_msg=check.name)
