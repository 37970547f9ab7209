"""A State with its per-sample arrays for one sample: the one a page shows.

The network view draws one batch sample's activations and δ (or their batch mean); the other
rows are read only by panels that ask for them when they open (the quiz, the tour, the
inspector's per-sample table). `?sample=<k>` (or `?sample=mean`) on GET /state, a Step or a
pause sends, of each array with one row per batch sample (``batch.x``, ``layers[l].z``, ``a``,
``dL_da``, ``delta``, and batch norm's ``z_hat``, ``u``, ``delta_u``), only

- ``{"dtype": "row", "shape": [B, n], "row": k, "data": <row k>}``, or
- ``{"dtype": "mean", "shape": [B, n], "data": <the mean over the B rows>}``,

the data exact float64 (with `format=compact`, an image's row packed as any array is:
app/frames.py). ``batch.index`` and ``batch.y`` stay whole: a page lists the batch and its
labels. A row k past the last step's batch (a short last batch of an epoch) is its last row,
as the page shows it; static/js/frames.js decodes both forms.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fastapi import Query

PER_SAMPLE = frozenset({"z", "a", "dL_da", "delta"})
PER_SAMPLE_BN = frozenset({"z_hat", "u", "delta_u"})
MEAN = "mean"

SampleQuery = Annotated[
    str | None,
    Query(
        pattern=r"^(mean|[0-9]{1,5})$",
        description="only this batch sample's rows of the per-sample arrays (or `mean`: their batch "
        "mean), as the network view draws them (app/sampled.py)",
    ),
]


def parse_sample(sample: str | None) -> int | str | None:
    return None if sample is None else MEAN if sample == MEAN else int(sample)


def one_sample(state: dict[str, Any], sample: int | str) -> dict[str, Any]:
    """`state` (a State's dict, maybe with only some fields) with its per-sample arrays cut down."""
    out = dict(state)
    if isinstance(out.get("batch"), dict) and "x" in out["batch"]:
        out["batch"] = {**out["batch"], "x": _cut(out["batch"]["x"], sample)}
    if out.get("layers"):
        out["layers"] = [_cut_layer(layer, sample) for layer in out["layers"]]
    return out


def _cut_layer(layer: dict[str, Any], sample: int | str) -> dict[str, Any]:
    out = {k: _cut(v, sample) if k in PER_SAMPLE else v for k, v in layer.items()}
    if isinstance(out.get("bn"), dict):
        out["bn"] = {k: _cut(v, sample) if k in PER_SAMPLE_BN else v for k, v in out["bn"].items()}
    return out


def _cut(rows: Any, sample: int | str) -> Any:
    if not isinstance(rows, np.ndarray) or rows.ndim != 2 or len(rows) == 0:
        return rows  # None (batch norm's δ_u before a backward pass) or not per sample
    shape = list(rows.shape)
    if sample == MEAN:
        with np.errstate(all="ignore"):
            return {"dtype": "mean", "shape": shape, "data": rows.mean(axis=0)}
    k = min(int(sample), len(rows) - 1)
    return {"dtype": "row", "shape": shape, "row": k, "data": rows[k]}
