"""The readable reference step (engine/reference.py) against the fast path (engine/network.py).

Every array the tour shows (z, a, δ, dW, db, the updated W and b) is compared to the last
bit: both compute the same IEEE operations in the same order (z = a_prev @ Wᵀ + b, then
+b; σ′ = a(1 − a) is commutative with the engine's (1 − a)·a; dW = δᵀ a_prev / B through
the same matmul; db through the same pairwise sum). The batch loss alone is compared to
1e-15 relative: the fast path sums the squared errors with one BLAS dot product, the
reference with np.sum, and the two add the terms in different orders.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine import reference
from engine.config import RunConfig
from engine.presets import resolve
from engine.trainer import Run

from .helpers import xor

CONFIGS = {
    "xor lesson": resolve({"preset": "xor"}),
    "tanh, sse, 3 layers": xor(hidden=[3, 2], activation="tanh", output_activation="sigmoid", loss="sse"),
    "softmax, cross-entropy": resolve(
        {"preset": "digits", "n_samples": 300, "hidden": [16, 8], "batch_size": 16}
    ),
    "sigmoid, bce": xor(hidden=[3], loss="bce", learning_rate=1.0),
    "relu, linear out, mse": RunConfig.from_dict(
        {
            "dataset": "moons",
            "n_samples": 40,
            "hidden": [5],
            "activation": "relu",
            "output_activation": "linear",
            "loss": "mse",
            "batch_size": 8,
            "learning_rate": 0.05,
        }
    ),
}


def reference_of(run: Run):
    state = run.state()
    layers = state.layers
    step = reference.step(
        [layer.W for layer in layers],
        [layer.b for layer in layers],
        state.batch["x"],
        state.batch["y"],
        [layer.activation for layer in layers],
        run.config.loss,
        state.lr,
    )
    return state, step


@pytest.mark.parametrize("name", CONFIGS)
@pytest.mark.parametrize("steps", [0, 1, 7])
def test_same_bits_as_the_fast_path(name, steps):
    run = Run(CONFIGS[name])
    run.advance(steps)
    state, ref = reference_of(run)
    for l, layer in enumerate(state.layers):
        for field in ("z", "a", "delta", "dW", "db"):
            got, want = getattr(ref, field)[l], getattr(layer, field)
            assert np.array_equal(got, want), (name, steps, l, field, np.max(np.abs(got - want)))
        assert np.array_equal(ref.W_new[l], layer.W + layer.dW_applied), (name, l, "W")
        assert np.array_equal(ref.b_new[l], layer.b + layer.db_applied), (name, l, "b")
    assert ref.loss == pytest.approx(state.loss, rel=1e-15, abs=0)
    run.advance(1)  # and the update is the one the fast path makes
    after = run.state()
    for l, layer in enumerate(after.layers):
        assert np.array_equal(ref.W_new[l], layer.W)
        assert np.array_equal(ref.b_new[l], layer.b)


def test_a_wrong_reference_would_be_caught():
    """The comparison can fail: δ without σ′ differs from the engine's δ."""
    run = Run(CONFIGS["xor lesson"])
    state = run.state()
    out = state.layers[-1]
    wrong = out.a - state.batch["y"]
    assert not np.allclose(wrong, out.delta)


def test_hand_worked_xor_output_delta():
    """δ = (ŷ − y)·ŷ(1 − ŷ) at one hand-computed point: ŷ = σ(0) = ½, y = 1 → −⅛."""
    z = np.array([[0.0]])
    a = reference.forward_a(z, "sigmoid")
    delta = reference.output_delta(z, a, np.array([[1.0]]), "sigmoid", "half_sse")
    assert a[0, 0] == 0.5 and delta[0, 0] == -0.125


def test_every_quantity_has_its_lines():
    code = reference.code()
    assert set(code) == {"z", "a", "loss", "delta_out", "delta_hidden", "dW", "db", "update"}
    assert "delta.T @ a_prev / len(delta)" in code["dW"]
    assert all(text.startswith("def ") and "for " not in text for text in code.values())
