"""“The loss if you took this step”: the batch loss along the update about to be applied.

L(θ + α·Δθ) for α from 0 (where we are) through 1 (the real step) and beyond, on the
current batch. A curve that rises before α = 1 means the step overshoots: the learning
rate is too high for this spot of the loss surface.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from engine import training

if TYPE_CHECKING:
    from engine.trainer import Run


def loss_along_update(run: Run, alphas: np.ndarray) -> np.ndarray:
    plan = run.plan()
    x, y = plan.passed.layers[0].a_prev, plan.passed.y
    net = run.net.copy()
    out = np.empty(len(alphas))
    with np.errstate(all="ignore"):
        for n, alpha in enumerate(alphas):
            net.set_flat(run.net.flat + alpha * plan.update)
            out[n] = training.total_loss(run.config, net, x, y)
    return out
