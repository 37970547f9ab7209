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


def penalty(config: RunConfig, params: Arrays) -> tuple[float, Arrays]:
    """l1·Σ|W| + ½·l2·ΣW², and its gradient l1·sign(W) + l2·W, per weight matrix."""
    l1, l2 = config.l1, config.l2
    value = 0.0
    grads: Arrays = {}
    for name, W in params.items():
        if not is_weight(name):
            continue
        value += l1 * float(np.abs(W).sum()) + 0.5 * l2 * float((W * W).sum())
        grads[name] = l1 * np.sign(W) + l2 * W
    return value, grads


def add_penalty(config: RunConfig, params: Arrays, grads: Arrays) -> tuple[float, Arrays, Arrays]:
    """(penalty, its gradients, data gradients + penalty gradients); no work when it is off."""
    if not (config.l1 or config.l2):
        return 0.0, {}, grads
    value, pen_grads = penalty(config, params)
    return value, pen_grads, {k: g + pen_grads[k] if k in pen_grads else g for k, g in grads.items()}


def total_loss(config: RunConfig, net: Network, x: np.ndarray, y: np.ndarray) -> float:
    """Mean ℓ_s over the rows plus the L1/L2 penalty: the loss every update differentiates."""
    losses = net.sample_losses(net.forward(x), y)
    value = float(losses.sum()) / len(losses)
    return value + penalty(config, net.params)[0] if config.l1 or config.l2 else value


def clip(config: RunConfig, grads: Arrays, norm: float) -> tuple[Arrays, bool]:
    """The gradient the optimizer receives, and whether clipping changed it."""
    limit = config.clip
    if limit is None:
        return grads, False
    if config.clip_mode == "norm":
        if not norm > limit:  # also leaves NaN alone: a diverged run is reported, not hidden
            return grads, False
        return {k: g * (limit / norm) for k, g in grads.items()}, True
    clipped = {k: np.clip(g, -limit, limit) for k, g in grads.items()}
    return clipped, any(bool(np.any(np.abs(g) > limit)) for g in grads.values())
