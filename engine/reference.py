"""One training step in plain NumPy, written to be read: the code behind the guided tour.

network.py is the fast path (one flat parameter vector, buffers reused, batch norm, fused
losses computed from the logits). This module computes the same step the way a textbook
writes it: one small function per quantity, no loop over samples or neurons, nothing
in place. The page shows a function's lines beside the quantity it computes (`CODE`), and
tests/engine/test_reference.py checks that it gives the fast path's numbers.

Shapes follow docs/conventions.md: rows are samples, W is (n_out, n_in), δ = ∂ℓ_s/∂z per sample.
Plain layers only (no batch norm, penalties or clipping), plain gradient descent.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray

# f(z), and f′ written with z and a = f(z) as a textbook does (σ′ = σ(1 − σ))
F: dict[str, Callable[[Array], Array]] = {
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "linear": lambda z: z,
    "softmax": lambda z: (
        np.exp(z - z.max(axis=1, keepdims=True))
        / np.sum(np.exp(z - z.max(axis=1, keepdims=True)), axis=1, keepdims=True)
    ),
}
DF: dict[str, Callable[[Array, Array], Array]] = {
    "sigmoid": lambda z, a: a * (1.0 - a),
    "tanh": lambda z, a: 1.0 - a * a,
    "relu": lambda z, a: (z > 0).astype(float),
    "linear": lambda z, a: np.ones_like(z),
}
# ∂ℓ_s/∂ŷ of each squared error (docs/conventions.md: half_sse = ½Σ(ŷ − y)², sse = Σ(ŷ − y)², mse = Σ(ŷ − y)²/K)
LOSS_GRAD: dict[str, Callable[[Array, Array], Array]] = {
    "half_sse": lambda a, y: a - y,
    "sse": lambda a, y: 2.0 * (a - y),
    "mse": lambda a, y: 2.0 * (a - y) / y.shape[1],
}
LOSS_WEIGHT = {"half_sse": lambda k: 0.5, "sse": lambda k: 1.0, "mse": lambda k: 1.0 / k}
# where f′ and ∂ℓ/∂ŷ cancel to δ = ŷ − y (softmax with cross-entropy, sigmoid with bce)
FUSED = {("softmax", "cross_entropy"), ("sigmoid", "bce")}


def forward_z(a_prev: Array, W: Array, b: Array) -> Array:
    z = a_prev @ W.T + b  # every sample (row) at once: z_i = Σ_j W_ij a_j + b_i
    return z


def forward_a(z: Array, f: str) -> Array:
    a = F[f](z)  # the activation, element by element
    return a


def batch_loss(a: Array, y: Array, loss: str) -> float:
    if loss == "cross_entropy":
        per_sample = -np.sum(y * np.log(a), axis=1)  # ℓ_s = −Σ_k y_k log ŷ_k
    elif loss == "bce":
        per_sample = -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a), axis=1)
    else:
        per_sample = LOSS_WEIGHT[loss](y.shape[1]) * np.sum((a - y) ** 2, axis=1)  # ℓ_s
    return float(np.mean(per_sample))  # L = mean of ℓ_s over the batch


def output_delta(z: Array, a: Array, y: Array, f: str, loss: str) -> Array:
    if (f, loss) in FUSED:
        return a - y  # δ = ŷ − y: each output is pushed by how wrong it is
    dL_da = LOSS_GRAD[loss](a, y)  # how ℓ_s changes with each output
    delta = DF[f](z, a) * dL_da  # δ = f′(z) ⊙ ∂ℓ/∂a, one row per sample
    return delta


def hidden_delta(delta_next: Array, W_next: Array, z: Array, a: Array, f: str) -> Array:
    dL_da = delta_next @ W_next  # each neuron collects the δ of the layer above, weighted
    delta = DF[f](z, a) * dL_da  # δ = f′(z) ⊙ (Wᵀδ_next)
    return delta


def weight_gradient(delta: Array, a_prev: Array) -> Array:
    dW = delta.T @ a_prev / len(delta)  # ∂L/∂W_ij = mean over samples of δ_i · a_j
    return dW


def bias_gradient(delta: Array) -> Array:
    db = np.sum(delta, axis=0) / len(delta)  # ∂L/∂b_i = mean of δ_i
    return db


def update(W: Array, dW: Array, lr: float) -> Array:
    W_new = W - lr * dW  # a step against the gradient: along the arrow −∂L/∂w
    return W_new


# The quantity the page highlights -> the function whose lines compute it.
CODE: dict[str, Callable[..., object]] = {
    "z": forward_z,
    "a": forward_a,
    "loss": batch_loss,
    "delta_out": output_delta,
    "delta_hidden": hidden_delta,
    "dW": weight_gradient,
    "db": bias_gradient,
    "update": update,
}


def code() -> dict[str, str]:
    """The source lines of each quantity's function, as the page shows them."""
    return {name: inspect.getsource(fn).rstrip() for name, fn in CODE.items()}


@dataclass
class ReferenceStep:
    """Every quantity of one step, per weight layer l (lists indexed by l)."""

    z: list[Array]
    a: list[Array]
    loss: float
    delta: list[Array]
    dW: list[Array]
    db: list[Array]
    W_new: list[Array]
    b_new: list[Array]


def step(
    Ws: list[Array], bs: list[Array], x: Array, y: Array, fs: list[str], loss: str, lr: float
) -> ReferenceStep:
    """Forward through every layer, the loss, δ from the output back, the gradients and the update.
    The only loops run over layers (a net's depth), never over samples or neurons."""
    n = len(Ws)
    zs: list[Array] = []
    acts = [x]
    for W, b, f in zip(Ws, bs, fs, strict=True):
        zs.append(forward_z(acts[-1], W, b))
        acts.append(forward_a(zs[-1], f))
    deltas = [output_delta(zs[-1], acts[-1], y, fs[-1], loss)]
    for l in range(n - 2, -1, -1):
        deltas.insert(0, hidden_delta(deltas[0], Ws[l + 1], zs[l], acts[l + 1], fs[l]))
    dWs = [weight_gradient(deltas[l], acts[l]) for l in range(n)]
    dbs = [bias_gradient(d) for d in deltas]
    return ReferenceStep(
        z=zs,
        a=acts[1:],
        loss=batch_loss(acts[-1], y, loss),
        delta=deltas,
        dW=dWs,
        db=dbs,
        W_new=[update(W, dW, lr) for W, dW in zip(Ws, dWs, strict=True)],
        b_new=[update(b, db, lr) for b, db in zip(bs, dbs, strict=True)],
    )
