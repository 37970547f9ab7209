"""Per-step records of a run: the loss curve, learning rate, gradient norms, evaluations."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any


@dataclass
class History:
    step: list[int] = field(default_factory=list)  # the update's number t (0 = first)
    loss: list[float] = field(default_factory=list)  # batch loss + penalty before update t
    lr: list[float] = field(default_factory=list)
    grad_norms: list[list[float]] = field(default_factory=list)  # per weight layer
    eval_step: list[int] = field(default_factory=list)  # evaluated after this many updates
    evals: list[dict[str, float | None]] = field(default_factory=list)

    def record(self, step: int, loss: float, lr: float, grad_norms: list[float]) -> None:
        self.step.append(step)
        self.loss.append(loss)
        self.lr.append(lr)
        self.grad_norms.append(grad_norms)

    def record_eval(self, step: int, metrics: dict[str, float | None]) -> None:
        self.eval_step.append(step)
        self.evals.append(metrics)

    def copy(self) -> History:
        return self.prefix(len(self.step), len(self.evals))

    def prefix(self, n_steps: int, n_evals: int) -> History:
        """The history as it was after n_steps updates and n_evals evaluations. Records are
        only ever appended, so a checkpoint need not copy them: it keeps the lengths."""
        return History(
            self.step[:n_steps],
            self.loss[:n_steps],
            self.lr[:n_steps],
            self.grad_norms[:n_steps],
            self.eval_step[:n_evals],
            self.evals[:n_evals],
        )

    def nbytes(self) -> int:
        per_step = 8 * (3 + (len(self.grad_norms[0]) if self.grad_norms else 0)) + 64
        return per_step * len(self.step) + 200 * len(self.evals)

    def to_dict(self, since: int = 0) -> dict[str, Any]:
        """The records a reader at step `since` lacks: updates since..now and the evaluations
        made after more than `since` updates (since=0: everything)."""
        first_eval = bisect.bisect_right(self.eval_step, since) if since else 0
        evals = self.evals[first_eval:]
        keys = sorted({k for e in self.evals for k in e})
        return {
            "step": self.step[since:],
            "loss": self.loss[since:],
            "lr": self.lr[since:],
            "grad_norms": self.grad_norms[since:],
            "eval_step": self.eval_step[first_eval:],
            **{k: [e.get(k) for e in evals] for k in keys},
        }
