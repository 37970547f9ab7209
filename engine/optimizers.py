"""Optimizers with their papers' (and torch.optim's) update rules.

They work on whole parameter vectors (see network.py: one call per step, not one per
parameter); their state is one vector per slot ("v", "m", "s"), laid out like them.
`propose` computes the update without changing anything, so the State of step t can
show the exact update (`dW_applied`) that step t+1 will apply; `commit` makes it so.
"""

from __future__ import annotations

import numpy as np

Arrays = dict[str, np.ndarray]


class Optimizer:
    def __init__(self, kind: str, momentum: float, beta1: float, beta2: float, eps: float):
        self.kind = kind
        self.momentum, self.beta1, self.beta2, self.eps = momentum, beta1, beta2, eps
        self.slots: Arrays = {}  # slot name ("v", "m", "s") -> vector laid out as the parameters
        self.t = 0  # updates applied, for Adam's bias correction

    def propose(self, g: np.ndarray, lr: float) -> tuple[np.ndarray, Arrays]:
        """The change Δp of the parameter vector for gradient g, and the slots after it."""
        kind, t, old = self.kind, self.t + 1, self.slots
        if kind == "sgd":
            return -lr * g, {}
        if kind in ("momentum", "nesterov"):
            mu = self.momentum
            v = mu * old["v"] + g if "v" in old else g.copy()  # torch starts the buffer at g
            if kind == "momentum":  # v ← μv + g, p ← p − ηv
                return -lr * v, {"v": v}
            return -lr * (g + mu * v), {"v": v}
        if kind == "adagrad":  # s ← s + g², p ← p − η g / (√s + ε)
            s = old["s"] + g * g if "s" in old else g * g
            return -lr * g / (np.sqrt(s) + self.eps), {"s": s}
        if kind == "rmsprop":  # s ← ρs + (1 − ρ)g² with ρ = beta2
            rho = self.beta2
            s = rho * old.get("s", 0.0) + (1.0 - rho) * g * g
            return -lr * g / (np.sqrt(s) + self.eps), {"s": s}
        if kind == "adam":
            b1, b2 = self.beta1, self.beta2
            m = b1 * old.get("m", 0.0) + (1.0 - b1) * g
            v = b2 * old.get("v", 0.0) + (1.0 - b2) * g * g
            c1, c2 = 1.0 - b1**t, 1.0 - b2**t
            return -lr * (m / c1) / (np.sqrt(v / c2) + self.eps), {"m": m, "v": v}
        raise ValueError(f"unknown optimizer {kind!r}")

    def commit(self, slots: Arrays) -> None:
        self.slots = slots
        self.t += 1

    def copy(self) -> Optimizer:
        twin = Optimizer(self.kind, self.momentum, self.beta1, self.beta2, self.eps)
        twin.slots = {name: v.copy() for name, v in self.slots.items()}
        twin.t = self.t
        return twin

    def nbytes(self) -> int:
        return sum(v.nbytes for v in self.slots.values())
