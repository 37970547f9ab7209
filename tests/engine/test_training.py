"""Optimizers, schedules, clipping and penalties against their definitions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.config import RunConfig
from engine.schedules import learning_rate
from engine.trainer import Run

from .helpers import xor


def reference_update(kind: str, g: float, slots: dict, t: int, lr: float, mu=0.9, b1=0.9, b2=0.999, eps=1e-8):
    """One element's update, written from the papers / torch.optim docs, in plain floats."""
    if kind == "sgd":
        return -lr * g
    if kind == "momentum":
        slots["v"] = mu * slots.get("v", 0.0) + g
        return -lr * slots["v"]
    if kind == "nesterov":
        slots["v"] = mu * slots.get("v", 0.0) + g
        return -lr * (g + mu * slots["v"])
    if kind == "adagrad":
        slots["s"] = slots.get("s", 0.0) + g * g
        return -lr * g / (math.sqrt(slots["s"]) + eps)
    if kind == "rmsprop":
        slots["s"] = b2 * slots.get("s", 0.0) + (1 - b2) * g * g
        return -lr * g / (math.sqrt(slots["s"]) + eps)
    if kind == "adam":
        slots["m"] = b1 * slots.get("m", 0.0) + (1 - b1) * g
        slots["v"] = b2 * slots.get("v", 0.0) + (1 - b2) * g * g
        m_hat, v_hat = slots["m"] / (1 - b1**t), slots["v"] / (1 - b2**t)
        return -lr * m_hat / (math.sqrt(v_hat) + eps)
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"])
def test_optimizer_follows_its_update_rule(kind):
    lr = 0.05
    run = Run(xor(hidden=[3], optimizer=kind, learning_rate=lr, seed=4))
    slots: dict[tuple, dict] = {}
    for t in range(1, 6):
        state = run.state()
        for l, layer in enumerate(state.layers):
            for (i, j), g in np.ndenumerate(layer.dW):
                expected = reference_update(kind, g, slots.setdefault((l, "W", i, j), {}), t, lr)
                assert layer.dW_applied[i, j] == pytest.approx(expected, rel=1e-12, abs=1e-300)
        run.advance(1)
        for before, after in zip(state.layers, run.state().layers, strict=True):
            np.testing.assert_array_equal(after.W, before.W + before.dW_applied)


def test_sgd_applies_exactly_minus_eta_dw():
    run = Run(xor(hidden=[2], learning_rate=0.7))
    before = run.state()
    run.advance(1)
    after = run.state()
    for b, a in zip(before.layers, after.layers, strict=True):
        np.testing.assert_array_equal(a.W, b.W - 0.7 * b.dW)
        np.testing.assert_array_equal(a.b, b.b - 0.7 * b.db)


@pytest.mark.parametrize(
    ("schedule", "t", "expected"),
    [
        ("constant", 500, 0.8),
        ("step", 99, 0.8),
        ("step", 100, 0.4),
        ("step", 250, 0.2),
        ("exponential", 50, 0.8 * 0.5**0.5),
        ("exponential", 200, 0.2),
        ("cosine", 0, 0.8),
        ("cosine", 50, 0.4 + 0.2),
        ("cosine", 100, 0.4),
        ("cosine", 900, 0.4),
    ],
)
def test_schedules(schedule, t, expected):
    assert learning_rate(schedule, 0.8, t, 0.5, 100) == pytest.approx(expected, rel=1e-12)


def test_schedule_reaches_the_update():
    run = Run(xor(hidden=[2], schedule="step", decay=0.5, decay_steps=2, learning_rate=1.0))
    run.advance(4)
    assert run.state().lr == 0.25
    assert run.history.lr == [1.0, 1.0, 0.5, 0.5]


def test_clip_by_norm_rescales_to_the_limit():
    run = Run(xor(hidden=[2], init="normal", init_scale=3.0, clip=1e-3, clip_mode="norm", learning_rate=1.0))
    state = run.state()
    assert state.clipped and state.grad_norm > 1e-3
    applied = np.sqrt(
        sum(np.sum(layer.dW_applied**2) + np.sum(layer.db_applied**2) for layer in state.layers)
    )
    assert applied == pytest.approx(1e-3, rel=1e-12)
    ratio = state.layers[0].dW_applied / -state.layers[0].dW  # same direction, one factor
    np.testing.assert_allclose(ratio, 1e-3 / state.grad_norm, rtol=1e-12)


def test_clip_by_value_caps_each_entry():
    run = Run(xor(hidden=[2], init="normal", init_scale=3.0, clip=1e-3, clip_mode="value", learning_rate=1.0))
    for layer in run.state().layers:
        np.testing.assert_array_equal(-layer.dW_applied, np.clip(layer.dW, -1e-3, 1e-3))


def test_penalties_are_their_own_terms():
    plain = Run(xor(hidden=[2], seed=3)).state()
    l1, l2 = 0.01, 0.1
    run = Run(xor(hidden=[2], seed=3, l1=l1, l2=l2))
    state = run.state()
    weights = [layer.W for layer in plain.layers]
    assert state.loss == plain.loss  # the data loss is unchanged...
    assert state.penalty == pytest.approx(
        sum(l1 * np.abs(W).sum() + 0.5 * l2 * (W**2).sum() for W in weights)
    )
    for p, s in zip(
        plain.layers, state.layers, strict=True
    ):  # ...and the penalty gradient is added to dW only
        np.testing.assert_allclose(s.dW_penalty, l1 * np.sign(p.W) + l2 * p.W, rtol=1e-15)
        np.testing.assert_allclose(s.dW, p.dW + s.dW_penalty, rtol=1e-15)
        np.testing.assert_array_equal(s.db, p.db)


def test_training_learns_xor():
    run = Run(xor(hidden=[4], activation="tanh", learning_rate=0.5, seed=1))
    first = run.state().loss
    run.advance(2000)
    assert run.state().loss < first / 20
    assert run.evaluate()["train_accuracy"] == 1.0


def test_full_batch_evaluation_reuses_the_step_s_forward_pass_bit_for_bit():
    run = Run(RunConfig.from_dict({"dataset": "circle", "n_samples": 40, "hidden": [3], "test_ratio": 0.25}))
    run.advance(13)
    got = run.evaluate()
    x, y = run.dataset.x_train, run.dataset.y_train
    layers = run.net.forward(x, train=False)  # what evaluation means, computed directly
    assert got["train_loss"] == run.net.batch_loss(layers, y)
    assert got["train_accuracy"] == float(np.mean((layers[-1].a > 0.5) == (y > 0.5)))
