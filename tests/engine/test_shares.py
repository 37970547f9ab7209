"""Who pulls a weight: per-sample shares δ_s·a_s/B of ∂L/∂w add up to the engine's gradient."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.config import ConfigError, RunConfig
from engine.presets import resolve
from engine.shares import weight_shares
from engine.trainer import Run

from .helpers import custom, xor


def test_shares_of_dyadic_numbers_add_up_to_the_gradient_bit_for_bit():
    """Linear units, ½ squared error and inputs, targets and weights that are small dyadic
    fractions: every product and sum on the way (z, δ = ŷ − y, δ·a, /B with B = 4) is exact
    in float64, so whatever order the engine's matrix product adds in, the shares' sum and
    dW are the same number. A wrong share (a missing /B, the wrong a or δ column) fails."""
    run = Run(
        custom(
            [[0.5, -1.0], [1.5, 0.25], [-2.0, 0.75], [1.0, 1.0]],
            [[1.0], [0.0], [0.5], [-1.0]],
            hidden=[2],
            activation="linear",
            output_activation="linear",
            loss="half_sse",
            weights=[
                {"W": [[0.5, -0.25], [0.75, 1.0]], "b": [0.125, -0.5]},
                {"W": [[1.0, -0.5]], "b": [0.25]},
            ],
        )
    )
    state = run.state()
    for layer in (0, 1):
        W = state.layers[layer].W
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                s = weight_shares(run, layer, i, j)
                assert sum(s["shares"]) == s["sum"] == s["gradient"] == state.layers[layer].dW[i, j]
            b = weight_shares(run, layer, i)
            assert b["sum"] == b["gradient"] == state.layers[layer].db[i]


@pytest.mark.parametrize(
    "config",
    [
        xor(hidden=[3, 2], activation="tanh", seed=3),
        resolve({"preset": "digits"}),
        xor(hidden=[4], activation="relu", batch_norm=True, init="normal", seed=1),
    ],
    ids=["xor-tanh", "digits", "batch-norm"],
)
def test_shares_add_up_to_the_gradient_within_a_dot_products_rounding(config: RunConfig):
    """In general the engine's dW is a BLAS dot product Σ_s δ_s a_s (then /B), whose rounding
    error is at most γ_B·Σ|δ_s a_s| with γ_B = B·u/(1 − B·u), u = 2⁻⁵³ (Higham, Accuracy and
    Stability, §3.1); each share adds one rounding of its own (u·|share|). The shares' sum is
    taken exactly (fsum), so |Σ shares − dW| stays within (B + 2)·u·Σ|shares|: ~1e-16 relative."""
    run = Run(config)
    run.advance(3)
    state = run.state()
    u = 2.0**-53
    for layer in range(run.n_layers):
        dW = state.layers[layer].dW
        for i, j in {(0, 0), (dW.shape[0] - 1, dW.shape[1] - 1), (dW.shape[0] // 2, dW.shape[1] // 3)}:
            s = weight_shares(run, layer, i, j)
            B = s["batch_size"]
            bound = (B + 2) * u / (1 - B * u) * math.fsum(abs(v) for v in s["shares"])
            assert abs(s["sum"] - dW[i, j]) <= bound, (layer, i, j)
            assert s["penalty"] == 0 and s["gradient"] == dW[i, j]


def test_order_runs_from_the_strongest_push_up_to_the_strongest_push_down():
    run = Run(resolve({"preset": "digits"}))
    s = weight_shares(run, 2, 3, 5)
    ordered = s["shares"][s["order"]]
    assert np.all(np.diff(ordered) >= 0)
    assert np.all(s["shares"][s["pushes_up"]] < 0) and np.all(s["shares"][s["pushes_down"]] > 0)
    assert s["pushes_up"][0] == np.argmin(s["shares"]) and s["pushes_down"][0] == np.argmax(s["shares"])
    assert len(s["rows"]) == s["batch_size"] == 32
    assert s["mean"] == pytest.approx(s["gradient"] / 32, rel=1e-12)


def test_a_penalty_is_the_part_the_samples_do_not_pull():
    run = Run(xor(hidden=[2], l2=0.1, l1=0.02, seed=2))
    run.advance(2)
    s = weight_shares(run, 0, 1, 0)
    assert s["penalty"] == pytest.approx(0.02 * np.sign(s["value"]) + 0.1 * s["value"], rel=1e-12)
    assert s["sum"] + s["penalty"] == pytest.approx(s["gradient"], rel=1e-13, abs=1e-16)
    bias = weight_shares(run, 0, 1)
    assert bias["penalty"] == 0 and bias["parameter"] == "b0"


@pytest.mark.parametrize(("args", "field"), [((2, 0, 0), "layer"), ((0, 2, 0), "i"), ((0, 0, 2), "j")])
def test_out_of_range_names_the_field(args, field):
    with pytest.raises(ConfigError) as error:
        weight_shares(Run(xor(hidden=[2])), *args)  # a 2-2-1 net: i = 2 and j = 2 are out of range
    assert error.value.field == field
