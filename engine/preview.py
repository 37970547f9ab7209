"""“The loss if you took this step”: the batch loss along the update about to be applied.

L(θ + α·Δθ) for α from 0 (where we are) through 1 (the real step) and beyond, on the
current batch. A curve that rises before α = 1 means the step overshoots: the learning
rate is too high for this spot of the loss surface.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from engine import stacked

if TYPE_CHECKING:
    from engine.trainer import Run

# Floats in a chunk's largest stack, its points' parameters (k, P) or a layer's (k, B, width):
# a few hundred kB, so that a big net or batch takes its points a few at a time.
CHUNK_FLOATS = 1 << 16


def loss_along_update(run: Run, alphas: np.ndarray) -> np.ndarray:
    """training.total_loss at θ + α·Δθ for each α, bit for bit, the α of a chunk in one
    stacked pass (engine/stacked.py). A played frame's preview, 41 points twice a second
    per student, was 41 passes of a few dozen NumPy calls each: XOR 540 -> 33 µs."""
    plan = run.plan()
    x, y = plan.passed.layers[0].a_prev, plan.passed.y
    net, config = run.net, run.config
    widest = max(s.n_out for s in net.specs)
    chunk = max(1, CHUNK_FLOATS // max(net.n_params, len(y) * widest))
    out = np.empty(len(alphas))
    with np.errstate(all="ignore"):
        for start in range(0, len(alphas), chunk):
            part = slice(start, start + chunk)
            thetas = alphas[part, None] * plan.update  # θ + α·Δθ, one row per α (a sum
            thetas += net.flat  # commutes exactly: the same bits as θ + α·Δθ)
            out[part] = stacked.losses(net, thetas, x, y)
            if config.l1 or config.l2:
                out[part] += stacked.penalties(config, net, thetas)
    return out
