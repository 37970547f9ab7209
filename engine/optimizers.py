"""Optimizers with their papers' (and torch.optim's) update rules.

State is keyed by parameter name ("W0", "b0", "gamma0", …) as in numpy-ml.
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
        self.slots: dict[str, Arrays] = {}  # slot name ("v", "m", "s") -> param name -> array
        self.t = 0  # updates applied, for Adam's bias correction

    def propose(self, grads: Arrays, lr: float) -> tuple[Arrays, dict[str, Arrays]]:
        """The change Δp for every parameter, and the slots after that update."""
        kind, t = self.kind, self.t + 1
        if kind == "sgd":
            return {k: -lr * g for k, g in grads.items()}, {}
        if kind in ("momentum", "nesterov"):
            mu = self.momentum
            old = self.slots.get("v", {})
            v = {k: mu * old[k] + g if k in old else g.copy() for k, g in grads.items()}
            if kind == "momentum":  # v ← μv + g, p ← p − ηv
                return {k: -lr * v[k] for k in grads}, {"v": v}
            return {k: -lr * (g + mu * v[k]) for k, g in grads.items()}, {"v": v}
        if kind == "adagrad":  # s ← s + g², p ← p − η g / (√s + ε)
            old = self.slots.get("s", {})
            s = {k: old[k] + g * g if k in old else g * g for k, g in grads.items()}
            return {k: -lr * g / (np.sqrt(s[k]) + self.eps) for k, g in grads.items()}, {"s": s}
        if kind == "rmsprop":  # s ← ρs + (1 − ρ)g² with ρ = beta2
            rho = self.beta2
            old = self.slots.get("s", {})
            s = {k: rho * old.get(k, 0.0) + (1.0 - rho) * g * g for k, g in grads.items()}
            return {k: -lr * g / (np.sqrt(s[k]) + self.eps) for k, g in grads.items()}, {"s": s}
        if kind == "adam":
            b1, b2 = self.beta1, self.beta2
            old_m, old_v = self.slots.get("m", {}), self.slots.get("v", {})
            m = {k: b1 * old_m.get(k, 0.0) + (1.0 - b1) * g for k, g in grads.items()}
            v = {k: b2 * old_v.get(k, 0.0) + (1.0 - b2) * g * g for k, g in grads.items()}
            c1, c2 = 1.0 - b1**t, 1.0 - b2**t
            step = {k: -lr * (m[k] / c1) / (np.sqrt(v[k] / c2) + self.eps) for k in grads}
            return step, {"m": m, "v": v}
        raise ValueError(f"unknown optimizer {kind!r}")

    def commit(self, slots: dict[str, Arrays]) -> None:
        self.slots = slots
        self.t += 1

    def copy(self) -> Optimizer:
        twin = Optimizer(self.kind, self.momentum, self.beta1, self.beta2, self.eps)
        twin.slots = {name: {k: a.copy() for k, a in slot.items()} for name, slot in self.slots.items()}
        twin.t = self.t
        return twin

    def nbytes(self) -> int:
        return sum(a.nbytes for slot in self.slots.values() for a in slot.values())
