"""Per-sample losses ℓ_s and their gradients ∂ℓ_s/∂ŷ (definitions in DESIGN.md).

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


def mean_loss(losses: Array) -> float:
    """The mean of per-sample losses ℓ_s: the loss every view and update speaks of."""
    return float(reduce_sum(losses)) / len(losses)  # np.mean's wrapper costs more than the sum


@dataclass(frozen=True)
class Loss:
    name: str
    value: Callable[[Array, Array], Array]  # (ŷ, y) -> ℓ per sample, shape (B,)
    grad: Callable[[Array, Array], Array]  # (ŷ, y) -> ∂ℓ_s/∂ŷ, shape (B, K)


LOSSES: dict[str, Loss] = {
    l.name: l
    for l in (
        Loss("half_sse", lambda p, y: 0.5 * reduce_sum(np.square(p - y), axis=1), lambda p, y: p - y),
        Loss("sse", lambda p, y: reduce_sum(np.square(p - y), axis=1), lambda p, y: 2.0 * (p - y)),
        Loss(
            "mse",
            lambda p, y: reduce_sum(np.square(p - y), axis=1) / y.shape[1],
            lambda p, y: 2.0 * (p - y) / y.shape[1],
        ),
        Loss(
            "bce",
            lambda p, y: -np.sum(y * np.log(p) + (1.0 - y) * np.log(1.0 - p), axis=1),
            lambda p, y: (p - y) / (p * (1.0 - p)),
        ),
        Loss("cross_entropy", lambda p, y: -np.sum(y * np.log(p), axis=1), lambda p, y: -y / p),
    )
}

FUSED = {("softmax", "cross_entropy"), ("sigmoid", "bce")}


def is_fused(output_activation: str, loss: str) -> bool:
    return (output_activation, loss) in FUSED


def fused_value(output_activation: str, z: Array, y: Array) -> Array:
    """ℓ per sample computed from the logits z of a fused pairing."""
    if output_activation == "sigmoid":  # bce: Σ softplus(z) − y·z
        return np.sum(np.logaddexp(0.0, z) - y * z, axis=1)
    m = z.max(axis=1, keepdims=True)  # cross_entropy: Σ_k y_k (logsumexp(z) − z_k)
    lse = m + np.log(np.sum(np.exp(z - m), axis=1, keepdims=True))
    return np.sum(y * (lse - z), axis=1)
