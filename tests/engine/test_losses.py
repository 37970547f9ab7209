"""The batch loss against the per-sample definitions of docs/conventions.md, written out row by row."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.config import RunConfig
from engine.losses import LOSSES, total
from engine.trainer import Run

# ℓ_s of one row (ŷ, y), as docs/conventions.md states them, with K outputs
TEXTBOOK = {
    "half_sse": lambda p, y: 0.5 * sum((pk - yk) ** 2 for pk, yk in zip(p, y, strict=True)),
    "sse": lambda p, y: sum((pk - yk) ** 2 for pk, yk in zip(p, y, strict=True)),
    "mse": lambda p, y: sum((pk - yk) ** 2 for pk, yk in zip(p, y, strict=True)) / len(y),
    "bce": lambda p, y: (
        -sum(yk * math.log(pk) + (1 - yk) * math.log(1 - pk) for pk, yk in zip(p, y, strict=True))
    ),
    "cross_entropy": lambda p, y: -sum(yk * math.log(pk) for pk, yk in zip(p, y, strict=True)),
}


def _textbook_mean(loss: str, p: np.ndarray, y: np.ndarray) -> float:
    return sum(TEXTBOOK[loss](pr.tolist(), yr.tolist()) for pr, yr in zip(p, y, strict=True)) / len(y)


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("k", [1, 3])
def test_batch_loss_is_the_mean_of_the_per_sample_definition(loss, k):
    rng = np.random.default_rng(k)
    p = rng.uniform(0.05, 0.95, (7, k))
    if loss == "cross_entropy":
        p /= p.sum(axis=1, keepdims=True)  # probabilities, as a softmax gives
    y = np.eye(k)[rng.integers(0, k, 7)] if loss == "cross_entropy" else rng.integers(0, 2, (7, k)) * 1.0
    got = LOSSES[loss].mean(p, y)
    assert got == pytest.approx(_textbook_mean(loss, p, y), rel=1e-13)
    # the squared errors' one-dot shortcut and the sum of their terms are the same number
    assert got == pytest.approx(total(LOSSES[loss].terms(p, y)) / len(y), rel=1e-14)


@pytest.mark.parametrize(("output", "loss"), [("softmax", "cross_entropy"), ("sigmoid", "bce")])
def test_fused_losses_from_logits_match_the_definition_on_the_outputs(output, loss):
    """A fused pairing computes ℓ from z (log-sum-exp, softplus): the same value as the
    definition applied to the network's ŷ."""
    run = Run(
        RunConfig.from_dict(
            {"dataset": "spiral", "n_samples": 30, "hidden": [5], "output_activation": output, "loss": loss}
        )
    )
    state = run.state()
    y, p = state.batch["y"], state.layers[-1].a
    assert state.loss == pytest.approx(_textbook_mean(loss, p, y), rel=1e-13)
