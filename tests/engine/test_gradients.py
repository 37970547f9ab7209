"""Backprop against central finite differences over a randomised grid of configs."""

from __future__ import annotations

import itertools
import random
import zlib

import numpy as np
import pytest

from engine.config import ACTIVATIONS, LOSSES, OUTPUT_ACTIVATIONS, UNBOUNDED_OUTPUTS
from engine.gradcheck import gradcheck
from engine.trainer import Run

from .helpers import custom


def _data(rng: np.random.Generator, n: int, k: int, loss: str, output: str):
    x = rng.normal(size=(n, 3)).tolist()
    if output == "softmax":  # one-hot rows, as cross_entropy expects
        y = np.eye(k)[rng.integers(0, k, n)]
    elif loss in ("bce", "cross_entropy"):
        y = rng.integers(0, 2, (n, k)).astype(float)
    else:
        y = rng.normal(size=(n, k))
    return x, y.tolist()


def _grid():
    combos = [
        (h, o, loss, depth, bn, reg)
        for h, o, loss, depth, bn, reg in itertools.product(
            ACTIVATIONS, OUTPUT_ACTIVATIONS, LOSSES, (1, 2, 3), (False, True), ("none", "l1", "l2", "both")
        )
        if not (loss in ("bce", "cross_entropy") and o in UNBOUNDED_OUTPUTS)
    ]
    return random.Random(2026).sample(combos, 60)


def _near_a_kink(run: Run) -> bool:
    """relu's derivative jumps at 0: a difference quotient across the jump is no check."""
    for spec, layer in zip(run.net.specs, run.state().layers, strict=True):
        u = layer.z if layer.bn is None else layer.bn["u"]
        if spec.activation.name in ("relu", "leaky_relu") and np.min(np.abs(u)) < 1e-4:
            return True
    return False


@pytest.mark.parametrize(("hidden_act", "output", "loss", "depth", "batch_norm", "reg"), _grid())
def test_backprop_matches_finite_differences(hidden_act, output, loss, depth, batch_norm, reg):
    rng = np.random.default_rng(zlib.crc32(repr((hidden_act, output, loss, depth, batch_norm, reg)).encode()))
    k = 3 if output == "softmax" else 2
    while True:
        x, y = _data(rng, 5, k, loss, output)
        run = Run(
            custom(
                x,
                y,
                hidden=[4] * depth,
                activation=hidden_act,
                output_activation=output,
                loss=loss,
                batch_norm=batch_norm,
                init="normal",
                init_scale=0.7,
                seed=int(rng.integers(1000)),
                l1=0.03 if reg in ("l1", "both") else 0.0,
                l2=0.05 if reg in ("l2", "both") else 0.0,
                optimizer="adam",
                learning_rate=0.01,
            )
        )
        run.advance(2)  # not at the initial point: biases, γ, β are no longer special values
        if not _near_a_kink(run):
            break
    for check in gradcheck(run):  # atol: round-off of the differences (~1e-10);
        # rtol: their truncation error where a saturated output curves sharply
        np.testing.assert_allclose(check.analytic, check.numeric, rtol=1e-4, atol=1e-8, err_msg=check.name)


def test_relu_kinks_are_not_where_we_check():
    """The grid above would be meaningless if relu pre-activations sat on the kink."""
    run = Run(custom([[0.3, -0.2, 0.1]], [[0.5]], hidden=[3], activation="relu", init="normal"))
    assert np.all(np.abs(run.state().layers[0].z) > 1e-6)
