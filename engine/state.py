"""The State: a plain snapshot of one moment of a run, with the names the view uses.

Built from the current StepPlan, so the gradients shown are exactly the ones the next
update uses. Field meanings are documented in docs/state.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.network import filled
from engine.quiet import quietly

if TYPE_CHECKING:
    from engine.trainer import Run

Array = np.ndarray


@dataclass(frozen=True)
class LayerState:
    activation: str
    W: Array
    b: Array
    z: Array  # (B, n_out), before batch norm
    a: Array  # (B, n_out)
    dL_da: Array  # ∂ℓ_s/∂a, (B, n_out)
    delta: Array  # ∂ℓ_s/∂z, (B, n_out)
    dW: Array  # data gradient + penalty gradient
    db: Array
    dW_penalty: Array
    dW_applied: Array  # W_{t+1} − W_t
    db_applied: Array
    grad_norm: float
    bn: dict[str, Array | None] | None  # delta_u is None outside a backward pass


@dataclass(frozen=True)
class State:
    step: int
    epoch: int
    lr: float
    loss: float
    penalty: float
    diverged: bool
    diverged_at: int | None  # the first step whose loss or gradient norm was NaN/inf
    grad_norm: float
    clipped: bool
    batch: dict[str, Array]
    layers: list[LayerState]
    metrics: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """Nested dicts of arrays and scalars (asdict would deep-copy every array)."""
        out = {k: v for k, v in self.__dict__.items() if k != "layers"}
        out["layers"] = [dict(layer.__dict__) for layer in self.layers]
        return out


@quietly  # a diverging run's State is reported, not raised
def build_state(run: Run) -> State:
    plan = run.plan()
    net, passed = run.net, plan.passed
    p = net.params  # copied below: the run updates its parameters in place
    norms = plan.layer_norms
    grads, applied = net.views(plan.grad), net.views(plan.update)
    penalty = {} if plan.penalty_grad is None else net.views(plan.penalty_grad)
    layers = []
    for l, (spec, lp) in enumerate(zip(net.specs, passed.layers, strict=True)):
        dL_da = lp.dL_da if lp.dL_da is not None else net.loss.grad(lp.a, passed.y)
        bn = None
        if lp.bn is not None:
            bn = {
                "gamma": p[f"gamma{l}"].copy(),
                "beta": p[f"beta{l}"].copy(),
                "dgamma": grads[f"gamma{l}"],
                "dbeta": grads[f"beta{l}"],
                "gamma_applied": applied[f"gamma{l}"],
                "beta_applied": applied[f"beta{l}"],
                "mean": lp.bn["mean"],
                "var": lp.bn["var"],
                "z_hat": lp.bn["z_hat"],
                "u": lp.bn["u"],
                "delta_u": lp.delta_u,
                "running_mean": net.running[f"mean{l}"],
                "running_var": net.running[f"var{l}"],
            }
        dW = grads[f"W{l}"]
        layers.append(
            LayerState(
                activation=spec.activation.name,
                W=p[f"W{l}"].copy(),
                b=p[f"b{l}"].copy(),
                z=lp.z,
                a=lp.a,
                dL_da=dL_da,
                delta=filled(lp.delta),
                dW=dW,
                db=grads[f"b{l}"],
                dW_penalty=penalty.get(f"W{l}", np.zeros_like(dW)),
                dW_applied=applied[f"W{l}"],
                db_applied=applied[f"b{l}"],
                grad_norm=norms[l],
                bn=bn,
            )
        )
    loss = passed.loss
    x = passed.layers[0].a_prev
    metrics = run.metrics()
    diverged_at = run.diverged_at
    # Python floats: math's test, ~20 times cheaper than numpy's
    if diverged_at is None and not (math.isfinite(loss) and math.isfinite(plan.grad_norm)):
        diverged_at = run.step  # this step's own forward/backward pass is the first to overflow
    return State(
        step=run.step,
        epoch=run.epoch(),
        lr=plan.lr,
        loss=loss,
        penalty=plan.penalty,
        diverged=diverged_at is not None,
        diverged_at=diverged_at,
        grad_norm=plan.grad_norm,
        clipped=plan.clipped,
        batch={"index": plan.index, "x": x, "y": passed.y},
        layers=layers,
        metrics=metrics,
    )
