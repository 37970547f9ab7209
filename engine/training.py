"""One training step's arithmetic beyond backprop: penalties, clipping, learning rate.

Kept apart from the Run so that gradcheck and the chain-rule view use exactly the loss
(data mean + penalty) whose gradient the update follows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from engine.config import RunConfig

if TYPE_CHECKING:
    from engine.network import Network

Arrays = dict[str, np.ndarray]


def is_weight(name: str) -> bool:
    """Penalties apply to weights only, not to biases or batch-norm γ, β."""
    return name.startswith("W")


def penalty_value(config: RunConfig, params: Arrays) -> float:
    """l1·Σ|W| + ½·l2·ΣW² over the weight matrices."""
    l1, l2 = config.l1, config.l2
    value = 0.0
    for name, W in params.items():
        if is_weight(name):
            value += l1 * float(np.abs(W).sum()) + 0.5 * l2 * float((W * W).sum())
    return value


def penalty_grad(config: RunConfig, net: Network) -> np.ndarray:
    """l1·sign(W) + l2·W for every weight, zero elsewhere; laid out as net.flat."""
    grad = np.zeros_like(net.flat)
    for slot in net.layout:
        if is_weight(slot.name):
            W = net.flat[slot.start : slot.stop]
            grad[slot.start : slot.stop] = config.l1 * np.sign(W) + config.l2 * W
    return grad


def add_penalty(
    config: RunConfig, net: Network, grad: np.ndarray
) -> tuple[float, np.ndarray | None, np.ndarray]:
    """(penalty, its gradient, data gradient + penalty gradient), flat; no work when it is off."""
    if not (config.l1 or config.l2):
        return 0.0, None, grad
    pen_grad = penalty_grad(config, net)
    return penalty_value(config, net.params), pen_grad, grad + pen_grad


def total_loss(config: RunConfig, net: Network, x: np.ndarray, y: np.ndarray) -> float:
    """Mean ℓ_s over the rows plus the L1/L2 penalty: the loss every update differentiates."""
    value = net.batch_loss(net.forward(x), y)
    return value + penalty_value(config, net.params) if config.l1 or config.l2 else value


def clip(config: RunConfig, grad: np.ndarray, norm: float) -> tuple[np.ndarray, bool]:
    """The gradient the optimizer receives, and whether clipping changed it."""
    limit = config.clip
    if limit is None:
        return grad, False
    if config.clip_mode == "norm":
        if not norm > limit:  # also leaves NaN alone: a diverged run is reported, not hidden
            return grad, False
        return grad * (limit / norm), True
    return np.clip(grad, -limit, limit), bool(np.any(np.abs(grad) > limit))
