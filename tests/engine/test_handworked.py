"""The XOR network (2-2-1 sigmoid, ½ squared error) against scalar arithmetic.

The reference below is written the way a textbook works it, one sample and one neuron at
a time with math.exp: no NumPy, no vectorisation, nothing shared with the engine.
"""

from __future__ import annotations

import math

import numpy as np

from engine.trainer import Run

from .helpers import XOR_X, XOR_Y, xor

W1 = [[0.15, 0.20], [0.25, 0.30]]  # (n_out, n_in)
B1 = [0.35, 0.35]
W2 = [[0.40, 0.45]]
B2 = [0.60]
LR = 0.5


def sigmoid(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v))


def reference_step():
    """Per-sample forward and δ's, then the batch-mean gradient (docs/conventions.md)."""
    dW1 = [[0.0, 0.0], [0.0, 0.0]]
    dB1 = [0.0, 0.0]
    dW2 = [[0.0, 0.0]]
    dB2 = [0.0]
    losses, deltas1, deltas2 = [], [], []
    for x, (y,) in zip(XOR_X, XOR_Y, strict=True):
        z1 = [W1[i][0] * x[0] + W1[i][1] * x[1] + B1[i] for i in range(2)]
        a1 = [sigmoid(v) for v in z1]
        z2 = W2[0][0] * a1[0] + W2[0][1] * a1[1] + B2[0]
        out = sigmoid(z2)
        losses.append(0.5 * (out - y) ** 2)
        d2 = (out - y) * out * (1 - out)  # δ2 = (ŷ − y)·σ'(z2)
        d1 = [W2[0][i] * d2 * a1[i] * (1 - a1[i]) for i in range(2)]  # δ1 = (W2ᵀ δ2)·σ'(z1)
        deltas1.append(d1)
        deltas2.append(d2)
        for i in range(2):
            dW2[0][i] += d2 * a1[i] / 4
            dB1[i] += d1[i] / 4
            for j in range(2):
                dW1[i][j] += d1[i] * x[j] / 4
        dB2[0] += d2 / 4
    return sum(losses) / 4, deltas1, deltas2, dW1, dB1, dW2, dB2


def test_xor_step_matches_the_seed_by_hand():
    run = Run(xor(hidden=[2], learning_rate=LR, weights=[{"W": W1, "b": B1}, {"W": W2, "b": B2}]))
    loss, d1, d2, dW1, dB1, dW2, dB2 = reference_step()
    state = run.state()
    assert state.loss == _close(loss)
    np.testing.assert_allclose(state.layers[0].delta, d1, rtol=1e-13)
    np.testing.assert_allclose(state.layers[1].delta[:, 0], d2, rtol=1e-13)
    np.testing.assert_allclose(state.layers[0].dW, dW1, rtol=1e-13)
    np.testing.assert_allclose(state.layers[0].db, dB1, rtol=1e-13)
    np.testing.assert_allclose(state.layers[1].dW, dW2, rtol=1e-13)
    np.testing.assert_allclose(state.layers[1].db, dB2, rtol=1e-13)
    run.advance(1)
    after = run.state()
    np.testing.assert_allclose(after.layers[0].W, np.array(W1) - LR * np.array(dW1), rtol=1e-13)
    np.testing.assert_allclose(after.layers[1].b, np.array(B2) - LR * np.array(dB2), rtol=1e-13)


def test_first_loss_by_hand():
    """Sample (0, 0) alone: z1 = b1 = 0.35, a1 = σ(0.35), z2 = 0.85·σ(0.35) + 0.6."""
    a1 = 1 / (1 + math.exp(-0.35))  # 0.586618...
    out = 1 / (1 + math.exp(-(0.85 * a1 + 0.6)))  # σ(1.098625) = 0.750002...
    assert round(a1, 6) == 0.586618 and round(out, 6) == 0.750002
    run = Run(xor(hidden=[2], weights=[{"W": W1, "b": B1}, {"W": W2, "b": B2}]))
    assert run.state().layers[1].a[0, 0] == _close(out)


def _close(value: float):
    import pytest

    return pytest.approx(value, rel=1e-13, abs=0)
