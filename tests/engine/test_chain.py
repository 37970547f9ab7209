"""The chain-rule view: its factors multiply back to the gradient backprop computed."""

from __future__ import annotations

import numpy as np
import pytest

from engine.chain import chain
from engine.config import ConfigError
from engine.phases import trace
from engine.presets import PRESETS, resolve
from engine.trainer import Run

from .helpers import xor


@pytest.fixture
def run() -> Run:
    r = Run(xor(hidden=[3, 2], activation="tanh", l2=0.01, seed=5))
    r.advance(3)
    return r


def test_factors_multiply_to_the_gradient(run):
    for layer, i, j in [(0, 2, 1), (1, 1, 2), (2, 0, 1)]:
        c = chain(run, layer, i, j)
        np.testing.assert_allclose(c["delta"], c["fprime"] * c["dL_da"], rtol=1e-13)
        np.testing.assert_allclose(c["per_sample"], c["a_prev"] * c["delta"], rtol=1e-13)
        assert c["batch_mean"] + c["penalty"] == pytest.approx(c["dW"], rel=1e-13)
        assert c["numeric"] == pytest.approx(c["dW"], rel=1e-6, abs=1e-9)
        if layer < 2:  # ∂ℓ/∂a_i collects w_ki·δ_k from every neuron k of the next layer
            gathered = sum(term["w"] * term["delta"] for term in c["next"])
            np.testing.assert_allclose(gathered, c["dL_da"], rtol=1e-12)


def test_softmax_output_uses_the_jacobian():
    r = Run(xor(hidden=[2], output_activation="softmax", loss="sse"))
    c = chain(r, 1, 0, 0)
    assert c["form"] == "jacobian" and c["fprime"] is None
    assert c["numeric"] == pytest.approx(c["dW"], rel=1e-6, abs=1e-9)


@pytest.mark.parametrize(("args", "field"), [((3, 0, 0), "layer"), ((0, 3, 0), "i"), ((0, 0, 2), "j")])
def test_out_of_range_names_the_field(run, args, field):
    with pytest.raises(ConfigError) as error:
        chain(run, *args)
    assert error.value.field == field


def test_trace_walks_forward_then_back(run):
    names = [name for name, _ in trace(run.state())]
    assert names == [
        "forward:0",
        "forward:1",
        "forward:2",
        "loss",
        "backward:2",
        "backward:1",
        "backward:0",
        "update",
    ]


def test_preview_passes_through_now_and_the_real_step(run):
    from engine.preview import loss_along_update

    before = run.state()
    now, after = loss_along_update(run, np.array([0.0, 1.0]))
    assert now == pytest.approx(before.loss + before.penalty, rel=1e-12)
    rows = before.batch["index"]
    run.advance(1)
    moved = run.state()  # same rows (full batch), new weights: the loss the step really led to
    assert np.array_equal(moved.batch["index"], rows)
    assert after == pytest.approx(moved.loss + moved.penalty, rel=1e-12)


# What the lessons do not cover between them: the other activations, losses and optimizers,
# outputs whose loss is not fused, penalties, batch norm with each activation and the
# softmax, a batch of one, and wide layers over a large batch.
PREVIEW_CONFIGS = {
    "leaky_relu mse nesterov l1": {
        "preset": "squared_error",
        "activation": "leaky_relu",
        "loss": "mse",
        "optimizer": "nesterov",
        "l1": 0.001,
    },
    "linear rmsprop l1 l2": {
        "preset": "clipping",
        "activation": "linear",
        "optimizer": "rmsprop",
        "l1": 0.001,
        "l2": 0.01,
    },
    "softmax sse": {"preset": "digits", "loss": "sse", "l2": 0.001},
    "softmax bce": {"preset": "digits", "loss": "bce"},
    "sigmoid cross_entropy": {"preset": "digits_sse", "loss": "cross_entropy"},
    "softmax half_sse momentum": {"preset": "digits", "loss": "half_sse", "optimizer": "momentum"},
    "batch norm tanh adam l2": {"preset": "batchnorm", "activation": "tanh", "optimizer": "adam", "l2": 0.01},
    "batch norm relu squared": {"preset": "batchnorm", "activation": "relu", "loss": "sse"},
    "batch norm leaky_relu linear out": {
        "preset": "batchnorm",
        "activation": "leaky_relu",
        "output_activation": "linear",
        "loss": "mse",
    },
    "batch norm softmax digits": {"preset": "digits", "batch_norm": True, "hidden": [32, 1, 16], "l2": 0.001},
    "batch norm batch of one": {"preset": "batchnorm", "batch_size": 1},
    "batch of one": {"preset": "lr_good", "batch_size": 1, "l2": 0.01},
    "digits wider, batch 256": {
        "preset": "digits",
        "hidden": [32, 16],
        "batch_size": 256,
        "batch_norm": True,
    },
}
PREVIEW_CASES = [*({"preset": name} for name in PRESETS), *PREVIEW_CONFIGS.values()]
PREVIEW_IDS = [*PRESETS, *PREVIEW_CONFIGS]


@pytest.mark.parametrize("fields", PREVIEW_CASES, ids=PREVIEW_IDS)
def test_preview_is_the_loss_of_each_point_along_the_update_bit_for_bit(fields, monkeypatch):
    """L(θ + α·Δθ) at each α, as a net laid out anew from that vector would compute it:
    the stacked pass (engine/stacked.py) gives the very bits of the net's own, whether it
    takes the α a few at a time or one by one."""
    from engine import preview
    from engine.training import total_loss

    run = Run(resolve(fields))
    run.advance(7)
    alphas = np.linspace(0.0, 2.0, 41)
    plan = run.plan()
    expected = []
    for alpha in alphas:
        net = run.net.copy()
        net.set_flat(run.net.flat + alpha * plan.update)
        expected.append(total_loss(run.config, net, plan.passed.layers[0].a_prev, plan.passed.y))
    assert np.all(np.isfinite(expected))  # a NaN would compare unequal: a case here must not diverge
    assert np.array_equal(preview.loss_along_update(run, alphas), np.array(expected))
    monkeypatch.setattr(preview, "CHUNK_FLOATS", 1)  # one α per chunk
    assert np.array_equal(preview.loss_along_update(run, alphas), np.array(expected))
