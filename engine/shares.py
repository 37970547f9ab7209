"""Who pulls this weight: each sample's share of ∂L/∂w.

The batch gradient is a mean, ∂L/∂W[i][j] = (1/B) Σ_s δ_s,i · a_prev s,j (+ penalty), so
sample s contributes δ_s,i · a_prev s,j / B to it, and a bias b[i] gets δ_s,i / B. A share
below 0 pushes the weight up (gradient descent moves it against ∂L/∂w), above 0 down.
Under batch norm δ is already the coupled B·∂L/∂z (engine/network.py), so the same shares
still add up to the gradient; the samples just no longer act alone.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.config import check_whole
from engine.network import filled

if TYPE_CHECKING:
    from engine.trainer import Run

TOP = 8  # samples named as pushing hardest each way


def weight_shares(run: Run, layer: int, i: int, j: int | None = None) -> dict[str, Any]:
    """Per-sample shares of ∂L/∂W[layer][i][j], or of ∂L/∂b[layer][i] when j is None."""
    check_whole("layer", layer, 0, run.n_layers - 1)
    spec = run.net.specs[layer]
    check_whole("i", i, 0, spec.n_out - 1)
    if j is not None:
        check_whole("j", j, 0, spec.n_in - 1)
    plan = run.plan()
    lp = plan.passed.layers[layer]
    delta = filled(lp.delta)[:, i]
    B = len(delta)
    name = f"W{layer}" if j is not None else f"b{layer}"
    with np.errstate(all="ignore"):
        shares = (delta * lp.a_prev[:, j] if j is not None else delta) / B
    grads = run.net.views(plan.grad)
    index = (i, j) if j is not None else (i,)
    gradient = float(grads[name][index])
    penalty = 0.0
    if plan.penalty_grad is not None:
        penalty = float(run.net.views(plan.penalty_grad)[name][index])
    finite = bool(np.all(np.isfinite(shares)))  # a diverged run's shares are reported, as null
    total = math.fsum(shares.tolist()) if finite else float(np.sum(shares))
    order = np.argsort(shares, kind="stable")  # most negative (pushes w up hardest) first
    top = min(TOP, B)
    return {
        "layer": layer,
        "i": i,
        "j": j,
        "parameter": name,
        "step": run.step,
        "value": float(run.net.params[name][index]),
        "batch_size": B,
        "rows": plan.index,  # training-set row of each sample
        "shares": shares,
        "order": order,
        "sum": total,  # the shares' exact sum: the data part of ∂L/∂w
        "mean": total / B,  # the average share: the line the chart marks among the bars
        "penalty": penalty,
        "gradient": gradient,  # data part + penalty, the ∂L/∂w the update uses
        "pushes_up": order[:top][shares[order[:top]] < 0],
        "pushes_down": order[::-1][:top][shares[order[::-1][:top]] > 0],
        "diverged": not finite,
        "form": "batch_norm" if lp.bn is not None else "per_sample",
    }
