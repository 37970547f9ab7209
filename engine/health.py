"""Dead and saturated neurons: hidden units whose gradients vanish, and why.

A hidden neuron passes gradient back through f′(u), u being its activation's input (z, or
batch norm's output). Over the training set, in evaluation mode:
- ReLU is dead when u ≤ 0 for every row: a = 0 and f′ = 0 everywhere, so δ = 0 for every
  sample and no weight into it ever changes again. Leaky ReLU cannot die (f′ ≥ 0.01).
- sigmoid or tanh is saturated when f′(u) < 0.01 for most rows (more than half): it sits
  on a flat tail, and δ = f′·∂ℓ/∂a is a hundred times smaller than ∂ℓ/∂a there.
The fractions behind each flag go with it: `inactive` (share of rows with u ≤ 0, the
rectifiers) and `flat` (share of rows with f′ < 0.01, every activation with a derivative).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from engine.trainer import Run

FLAT = 0.01  # f′ below this counts as a flat (saturated) row
MOST = 0.5  # saturated when more than this share of rows is flat
# multiply-adds: a larger net × data set checks its first rows only. The check rides along with
# every Step click and twice a second with a played stream: 769 of the digit net's 4,000 rows
WORK_BUDGET = 10_000_000
RECTIFIERS = ("relu", "leaky_relu")
SQUASHERS = ("sigmoid", "tanh")


def rows_within_budget(run: Run) -> int:
    n = len(run.dataset.x_train)
    return max(1, min(n, WORK_BUDGET // max(1, run.n_params)))


def neuron_health(run: Run) -> dict[str, Any]:
    """Per hidden layer: dead, saturated (booleans), inactive and flat (fractions), per neuron."""
    rows = rows_within_budget(run)
    x = run.dataset.x_train[:rows]
    net = run.net
    with np.errstate(all="ignore"):
        passed = net.forward(x, train=False)
    layers = []
    for spec, lp in zip(net.specs[:-1], passed[:-1], strict=True):
        name = spec.activation.name
        u = lp.z if lp.bn is None else lp.bn["u"]
        assert spec.activation.df is not None  # hidden activations are elementwise
        with np.errstate(all="ignore"):
            flat = np.mean(spec.activation.df(u, lp.a) < FLAT, axis=0)
        inactive = np.mean(u <= 0, axis=0) if name in RECTIFIERS else np.zeros(spec.n_out)
        layers.append(
            {
                "activation": name,
                "inactive": inactive,
                "flat": flat,
                "dead": (inactive == 1.0) & (name == "relu"),
                "saturated": (flat > MOST) & (name in SQUASHERS),
            }
        )
    dead = sum(int(np.count_nonzero(layer["dead"])) for layer in layers)
    saturated = sum(int(np.count_nonzero(layer["saturated"])) for layer in layers)
    return {
        "step": run.step,
        "rows": rows,
        "of_rows": len(run.dataset.x_train),
        "threshold": FLAT,
        "most": MOST,
        "layers": layers,
        "dead": dead,
        "saturated": saturated,
        "hidden": sum(s.n_out for s in net.specs[:-1]),
    }
