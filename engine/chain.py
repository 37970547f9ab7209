"""The chain rule for one weight, factor by factor, with the real numbers.

∂L/∂W[l][i][j] = mean over samples of a_prev_j · δ_i (+ penalty), where
δ_i = f′(z_i) · ∂ℓ/∂a_i and, for a hidden layer, ∂ℓ/∂a_i = Σ_k W[l+1][k][i] · δ_k of the
next layer. Where δ is not that product (softmax's Jacobian, batch norm's coupling
across the batch) the factors say so and give δ itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.config import check_whole
from engine.gradcheck import numeric_partial
from engine.network import filled

if TYPE_CHECKING:
    from engine.trainer import Run


def chain(run: Run, layer: int, i: int, j: int) -> dict[str, Any]:
    n_layers = run.n_layers
    check_whole("layer", layer, 0, n_layers - 1)
    spec = run.net.specs[layer]
    check_whole("i", i, 0, spec.n_out - 1)  # row of W: the neuron in this layer
    check_whole("j", j, 0, spec.n_in - 1)  # column of W: the input
    state = run.state()
    ls = state.layers[layer]
    a_prev = (state.batch["x"] if layer == 0 else state.layers[layer - 1].a)[:, j]
    delta = ls.delta[:, i]
    per_sample = a_prev * delta
    out: dict[str, Any] = {
        "layer": layer,
        "i": i,
        "j": j,
        "step": state.step,
        "activation": spec.activation.name,
        "w": float(ls.W[i, j]),
        "a_prev": a_prev,
        "z": ls.z[:, i],
        "a": ls.a[:, i],
        "dL_da": ls.dL_da[:, i],
        "delta": delta,
        "per_sample": per_sample,
        "batch_mean": float(per_sample.mean()),
        "penalty": float(ls.dW_penalty[i, j]),
        "dW": float(ls.dW[i, j]),
        "dW_applied": float(ls.dW_applied[i, j]),
        "form": "elementwise",
    }
    if ls.bn is not None:
        out["form"] = "batch_norm"  # δ = batch-norm backward of f′(u)·∂ℓ/∂a over the whole batch
        df = spec.activation.df
        assert df is not None  # batch norm sits in hidden layers, whose activations are elementwise
        out["fprime"] = df(filled(ls.bn["u"])[:, [i]], ls.a[:, [i]])[:, 0]
        out["delta_u"] = filled(ls.bn["delta_u"])[:, i]
    elif spec.activation.df is None:
        out["form"] = "jacobian"  # softmax: δ_i = a_i (∂ℓ/∂a_i − Σ_k a_k ∂ℓ/∂a_k)
        out["fprime"] = None
    else:
        out["fprime"] = spec.activation.df(ls.z[:, [i]], ls.a[:, [i]])[:, 0]
    if layer + 1 < n_layers:  # ∂ℓ/∂a_i gathers what every neuron of the next layer wants
        nxt = state.layers[layer + 1]
        out["next"] = [{"k": k, "w": float(nxt.W[k, i]), "delta": nxt.delta[:, k]} for k in range(len(nxt.W))]
    out["numeric"] = numeric_partial(run, f"W{layer}", (i, j))
    return out
