"""3Blue1Brown's story of one training example: what it wants, and how that compares with
what the mini-batch and the whole data set want.

Zoom in: the output layer's desired nudges −∂C/∂a (up for the true class, down for the
rest, sized by how far off each is); one layer back, the nudge each output neuron k
asks of each previous activation j, −δ_k·W[k][j], and their sum −∂C/∂a_j; then the
per-weight gradient of that one example, δ·a_prevᵀ. Zoom out: the same gradient
averaged over the batch and over all training data, and how well they line up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from engine.config import check_whole
from engine.network import filled

if TYPE_CHECKING:
    from engine.trainer import Run


def cosine(u: np.ndarray, v: np.ndarray) -> float | None:
    nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
    return float(u @ v / (nu * nv)) if nu > 0 and nv > 0 else None


def one_example(run: Run, row: int) -> dict[str, Any]:
    ds = run.dataset
    check_whole("row", row, 0, len(ds.x_train) - 1)
    x, y = ds.x_train[row : row + 1], ds.y_train[row : row + 1]
    with np.errstate(all="ignore"):
        passed = run.net.run(x, y)  # a batch of one: the per-sample gradient δ·a_prevᵀ
        layers = passed.layers
        out = layers[-1]
        dL_da_out = run.net.loss.grad(out.a, y)[0]
        asks = []  # per weight layer l ≥ 1: nudge that neuron k of layer l asks of activation j below
        for l in range(len(layers) - 1, 0, -1):
            W = run.net.params[f"W{l}"]
            asks.append(
                {
                    "layer": l,
                    "wants": -(filled(layers[l].delta)[0][:, None] * W),
                    "sum": -filled(layers[l - 1].dL_da)[0],
                    "delta_below": filled(layers[l - 1].delta)[0],
                }
            )
    grads = run.net.views(passed.grad)
    names = list(grads)  # the gradient as one vector ∇C: parameters in layout order
    mine, batch, full = passed.grad, run.plan().grad, run.gradient()
    return {
        "row": row,
        "x": x[0],
        "y": y[0],
        "output": out.a[0],
        "activations": [lp.a[0] for lp in layers],  # the whole network's response to this one image
        "deltas": [filled(lp.delta)[0] for lp in layers],
        # −∂C/∂a: what the cost wants of each output activation (squared error, as in the video);
        # −∂C/∂z = −δ: the same wish on the pre-activation, meaningful for softmax too
        "output_nudges": -dL_da_out,
        "output_nudges_z": -filled(out.delta)[0],
        "asks": asks,
        "grads": grads,
        "names": names,
        "sizes": [int(grads[n].size) for n in names],
        "gradient": mine,
        "batch_gradient": batch,
        "full_gradient": full,
        "cosine": {
            "example_full": cosine(mine, full),
            "batch_full": cosine(batch, full),
            "example_batch": cosine(mine, batch),
        },
    }
