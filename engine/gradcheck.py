"""Backprop checked against central finite differences, for every parameter.

The loss differentiated is the one the update follows: the mean ℓ_s over the current
batch plus the L1/L2 penalty, in training mode (batch norm uses batch statistics).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from engine import training

if TYPE_CHECKING:
    from engine.trainer import Run


def batch_loss(run: Run) -> float:
    """L(params) on the current batch: what backprop differentiates."""
    plan = run.plan()
    with np.errstate(all="ignore"):
        return training.total_loss(run.config, run.net, plan.passed.layers[0].a_prev, plan.passed.y)


def numeric_partial(run: Run, name: str, index: tuple[int, ...], h: float = 1e-6) -> float:
    """(L(p + h) − L(p − h)) / 2h for one entry of one parameter; leaves it as it was."""
    param = run.net.params[name]
    original = param[index]
    try:
        param[index] = original + h
        up = batch_loss(run)
        param[index] = original - h
        down = batch_loss(run)
    finally:
        param[index] = original
    return (up - down) / (2.0 * h)


@dataclass(frozen=True)
class Check:
    name: str
    analytic: np.ndarray
    numeric: np.ndarray

    @property
    def max_error(self) -> float:
        """Largest relative error, |a − n| / max(|a| + |n|, 1e-6): relative where the
        gradient is large, absolute where both are round-off (a bias under batch norm)."""
        scale = np.maximum(np.abs(self.analytic) + np.abs(self.numeric), 1e-6)
        return float(np.max(np.abs(self.analytic - self.numeric) / scale))


def gradcheck(run: Run, h: float = 1e-6) -> list[Check]:
    """One Check per parameter of the current step's gradient."""
    grads = run.net.views(run.plan().grad)
    checks = []
    for name, analytic in grads.items():
        numeric = np.zeros_like(analytic)
        for index in np.ndindex(analytic.shape):
            numeric[index] = numeric_partial(run, name, index, h)
        checks.append(Check(name, analytic, numeric))
    return checks
