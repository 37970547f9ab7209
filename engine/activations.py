"""Activation functions as value/derivative pairs (tensorflow/playground's nn.ts style).

`f(z)` gives the activation; `df(z, a)` gives f'(z) elementwise, reusing `a = f(z)` where
that is cheaper (σ' = a(1 − a)). Softmax is not elementwise: its backward is the
Jacobian-vector product `vjp`, which every activation also offers, so the network's
backward pass has one code path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray
LEAKY_SLOPE = 0.01


@dataclass(frozen=True)
class Activation:
    name: str
    f: Callable[[Array], Array]
    df: Callable[[Array, Array], Array] | None  # f'(z) elementwise; None when not elementwise

    def vjp(self, z: Array, a: Array, g: Array) -> Array:
        """∂ℓ/∂z given g = ∂ℓ/∂a, row by row."""
        if self.name == "sigmoid":  # g·a(1 − a) in one buffer: the hot path of every lesson
            d = 1.0 - a
            d *= a
            d *= g
            return d
        if self.df is not None:
            return g * self.df(z, a)
        # softmax: J = diag(a) − a aᵀ, so Jᵀg = a ⊙ (g − ⟨g, a⟩)
        return a * (g - np.sum(g * a, axis=1, keepdims=True))


def _sigmoid(z: Array) -> Array:
    out = np.negative(z)  # 1 / (1 + e^−z), computed in one buffer: this is the hot path
    np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


def _softmax(z: Array) -> Array:
    """Over the last axis: a row's classes, also in a stack of batches (engine/stacked.py)."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", _sigmoid, lambda z, a: a * (1.0 - a)),
        Activation("tanh", np.tanh, lambda z, a: 1.0 - a * a),
        Activation("relu", lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(z.dtype)),
        Activation(
            "leaky_relu",
            lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
            lambda z, a: np.where(z > 0, 1.0, LEAKY_SLOPE),
        ),
        Activation("linear", lambda z: z, lambda z, a: np.ones_like(z)),
        Activation("softmax", _softmax, None),
    )
}
