"""Per-sample losses ℓ_s, the batch loss (their mean) and ∂ℓ_s/∂ŷ (definitions in docs/conventions.md).

A loss is given by its terms: ℓ_s is the sum of row s of `terms(ŷ, y)`, so the batch
loss is the sum of all of them over B: one reduction, not one per row and one more.
Squared errors go further: ℓ_s = c·‖ŷ_s − y_s‖², so the batch loss is c·(d·d)/B for
d = ŷ − y, one BLAS dot (a small net's step is a few dozen such calls: this saves four).

Two pairings have a fused form, δ = ∂ℓ_s/∂z = ŷ − y: softmax with cross_entropy and
sigmoid with bce. For those the loss is computed from z with log-sum-exp / softplus,
which is the same function but stays finite where log(ŷ) would under- or overflow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray
# x.sum(axis) without ndarray.sum's Python wrapper: the same reduction, a microsecond less
# per call, which is a tenth of a small net's step. Sums over rows (axis 0) unless told.
reduce_sum = np.add.reduce


def total(terms: Array) -> float:
    """The sum of every element (a row's sum is one sample's loss)."""
    return float(reduce_sum(terms, axis=None))


@dataclass(frozen=True)
class Loss:
    name: str
    terms: Callable[[Array, Array], Array]  # (ŷ, y) -> shape (B, K); ℓ_s sums row s
    grad: Callable[[Array, Array], Array]  # (ŷ, y) -> ∂ℓ_s/∂ŷ, shape (B, K)
    weight: Callable[[int], float] | None = None  # squared errors: ℓ_s = weight(K)·‖ŷ_s − y_s‖²

    def mean(self, p: Array, y: Array) -> float:
        """The batch loss: the mean of ℓ_s over the rows."""
        if self.weight is not None:
            d = p - y
            return self.weight(y.shape[1]) * float(np.vdot(d, d)) / len(y)
        return total(self.terms(p, y)) / len(y)


def _squared_error(name: str, weight: Callable[[int], float], grad: Callable[[Array, Array], Array]) -> Loss:
    return Loss(name, lambda p, y: weight(y.shape[1]) * np.square(p - y), grad, weight)


LOSSES: dict[str, Loss] = {
    l.name: l
    for l in (
        _squared_error("half_sse", lambda k: 0.5, lambda p, y: p - y),  # the textbook worked examples' ½
        _squared_error("sse", lambda k: 1.0, lambda p, y: 2.0 * (p - y)),
        _squared_error("mse", lambda k: 1.0 / k, lambda p, y: 2.0 * (p - y) / y.shape[1]),  # mean over K
        Loss(
            "bce",
            lambda p, y: -(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)),
            lambda p, y: (p - y) / (p * (1.0 - p)),
        ),
        Loss("cross_entropy", lambda p, y: -(y * np.log(p)), lambda p, y: -y / p),
    )
}

FUSED = {("softmax", "cross_entropy"), ("sigmoid", "bce")}


def is_fused(output_activation: str, loss: str) -> bool:
    return (output_activation, loss) in FUSED


def fused_terms(z: Array, y: Array) -> Array:
    """The terms of bce from the logits z of a sigmoid output: softplus(z) − y·z."""
    return np.logaddexp(0.0, z) - y * z


def softmax_cross_entropy(lse: Array, z: Array, y: Array) -> float:
    """The batch loss of cross_entropy from softmax logits z, with lse = log Σ_k e^z_k per
    row: ℓ_s = Σ_k y_k (lse − z_k) = lse·Σ_k y_k − y·z."""
    return (float(np.vdot(lse, reduce_sum(y, axis=1))) - float(np.vdot(y, z))) / len(y)
