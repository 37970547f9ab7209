"""Compact frames: a State encoded for drawing (static/js/frames.js decodes it).

A played frame carries what the views draw, not every digit of every number: arrays of more
than `exact_below` numbers travel as base64 binary —

- ``{"dtype": "u8", "shape", "lo", "hi", "data"}`` when every value is lo + q·(hi − lo)/255
  for a whole q, to 1e-9 of the range (the digits' pixels): a byte each, nothing lost; when
  most q are 0, with ``raised``, a bitmap of the q that are not (bit 7 of byte 0 first), and
  ``data`` holds only those;
- ``{"dtype": "i8", "shape", "scale", "data"}`` with q = round(127·v/scale[row]), scale[row]
  = max |v| of that row, for a wide layer matrix (an image's weights, ``colour_only``): drawn
  as a colour and a width, at most half a level of 127 of its row's largest off; with ``top``,
  each row's largest |v| in exact order, which 8 bits would tie;
- ``{"dtype": "f32", "shape", "data"}`` otherwise, and whenever an array holds NaN or ±∞
  (float32 keeps them);
- ``{"dtype": "u8", "shape", "lo": [...], "hi": [...], "data"}``, a lo and hi per row, for a
  matrix drawn only as colours against each row's own range (`levels`: a Step's grid of the
  input plane, app/extras.py).

While playing (`PLAYING`) a frame is drawn once and replaced 40 times a second, so it carries less:

- ``{"dtype": "f16", "shape", "scale", "data"}``: v = scale · h for a half float h, scale a
  power of two at or above the array's largest |v| (so h ≤ 1 keeps 11 bits of each number
  relative to itself, down to 2⁻²⁴ of the largest; a non-zero is never sent as 0, its sign is
  drawn): activations, δ and the small layers' matrices. Colours and widths come out the same
  (tests/browser/test_frames.py); numbers printed from it carry ≈.
- ``{"dtype": "top", "shape", "index", "data"}``: of a wide layer matrix, only what the network
  view draws — each row's `TOP_PER_ROW` largest |v| in exact order (index, uint16) and their
  values (float32). The whole matrix (``i8``, above) comes in a frame every `WHOLE_SECONDS`,
  for the views that draw it whole (the first layer's weight pictures); static/js/frames.js
  puts a row's top values into the last whole matrix.

Smaller arrays and every scalar stay exact JSON. The float64 State is unchanged on the REST
API (GET /state, /chain): the exact numbers are one request away.
"""

from __future__ import annotations

import base64
from collections.abc import Collection
from typing import Any

import numpy as np

PIXEL_LEVELS = 255
# An image's neuron draws its strongest few pixels' edges (static/js/encode.js,
# IMAGE_EDGES_PER_NEURON = 6): a wide matrix carries the order of each row's TOP_PER_ROW largest.
WIDE = 64
TOP_PER_ROW = 8
# The views that draw a wide matrix whole (plots.js renderNeuronMaps: the first layer's weights as
# pictures, the digit lab's maps) redraw twice a second while playing (PLOT_FLUSH_MS in the page).
WHOLE_SECONDS = 0.5
HALF_TINY = np.float16(2.0**-24)  # the smallest half float: a non-zero sent as this keeps its sign


def pack(a: np.ndarray, colour_only: bool, half: bool = False) -> dict[str, Any]:
    """One array as base64 binary, in the narrowest type that draws the same picture. `half`:
    a played frame's precision (half floats)."""
    values = np.asarray(a, dtype=np.float64)
    shape = list(values.shape)
    finite = bool(np.isfinite(values).all())
    if finite and values.size:
        lo, hi = float(values.min()), float(values.max())
        if hi > lo:
            q = np.rint((values - lo) * (PIXEL_LEVELS / (hi - lo)))
            if np.abs(lo + q * ((hi - lo) / PIXEL_LEVELS) - values).max() <= 1e-9 * (hi - lo):
                return _levels(q.astype(np.uint8), shape, lo, hi)
        if colour_only and values.ndim == 2 and values.shape[1] >= WIDE:
            scale = np.abs(values).max(axis=1)  # per row: a neuron's strongest pixels never round to 0
            q = np.rint(values * (127 / np.where(scale > 0, scale, 1))[:, None])
            out = {"dtype": "i8", "shape": shape, "scale": scale, "data": _b64(q.astype(np.int8).tobytes())}
            # 8 bits tie values the view ranks: the exact ranking of each row's largest
            out["top"] = top_columns(values)
            return out
        if half:
            return _half(values)
    return {"dtype": "f32", "shape": shape, "data": _b64(values.astype("<f4").tobytes())}


def _levels(q: np.ndarray, shape: list[int], lo: float, hi: float) -> dict[str, Any]:
    """Bytes; mostly the lowest level (a digit's background: three pixels in four) as a bitmap of
    the others and their bytes alone, a third of the size."""
    out: dict[str, Any] = {"dtype": "u8", "shape": shape, "lo": lo, "hi": hi}
    raised = q.ravel() != 0
    if raised.size / 8 + raised.sum() < 0.75 * raised.size:
        out["raised"] = _b64(np.packbits(raised).tobytes())
        out["data"] = _b64(q.ravel()[raised].tobytes())
    else:
        out["data"] = _b64(q.tobytes())
    return out


def _half(values: np.ndarray) -> dict[str, Any]:
    largest = float(np.abs(values).max())
    scale = 2.0 ** np.ceil(np.log2(largest)) if largest > 0 else 1.0  # exact to divide by
    h = (values / scale).astype("<f2")
    lost = (h == 0) & (values != 0)  # below 2⁻²⁴ of the largest: still drawn with its sign
    h[lost] = np.copysign(HALF_TINY, values[lost])
    return {"dtype": "f16", "shape": list(values.shape), "scale": scale, "data": _b64(h.tobytes())}


def top_columns(values: np.ndarray) -> np.ndarray:
    """Each row's TOP_PER_ROW columns of largest |v|, largest first, equal ones in column order:
    the first columns of a stable argsort of -|v|, without sorting whole rows (a played digit
    frame ranks 2 × 16 rows of 784: sorting them was a third of its encoding)."""
    a = np.abs(values)
    rows, n = a.shape
    k = TOP_PER_ROW
    if n <= k or not np.isfinite(a).all():  # NaN ranks last in a sort, and nowhere in a partition
        return np.argsort(-a, axis=1, kind="stable")[:, :k]
    kth = -np.partition(-a, k - 1, axis=1)[:, k - 1 : k]  # each row's k-th largest
    above = a > kth
    ties = a == kth  # as many of them as the row still needs, in column order
    chosen = above | (ties & (np.cumsum(ties, axis=1) <= (k - above.sum(axis=1))[:, None]))
    columns = np.nonzero(chosen)[1].reshape(rows, k)  # k a row, in column order
    order = np.argsort(-np.take_along_axis(a, columns, axis=1), axis=1, kind="stable")
    return np.take_along_axis(columns, order, axis=1)


def top_of_rows(a: np.ndarray) -> dict[str, Any]:
    """A matrix as its rows' TOP_PER_ROW largest |v|: columns in order, values in float32."""
    values = np.asarray(a, dtype=np.float64)
    top = top_columns(values)
    return {
        "dtype": "top",
        "shape": list(values.shape),
        "index": _b64(top.astype("<u2").tobytes()),
        "data": _b64(np.take_along_axis(values, top, axis=1).astype("<f4").tobytes()),
    }


def levels(rows: np.ndarray) -> dict[str, Any]:
    """A matrix drawn only as colours, each row against its own range (a neuron over a grid of
    the input plane, app/extras.py): a byte per value, v = lo[r] + q·(hi[r] − lo[r])/255, at most
    half a level of 255 of that row's range off; float32 when a value is NaN or ±∞."""
    values = np.asarray(rows, dtype=np.float64)
    if not np.isfinite(values).all():
        return {"dtype": "f32", "shape": list(values.shape), "data": _b64(values.astype("<f4").tobytes())}
    lo, hi = values.min(axis=1), values.max(axis=1)
    span = np.where(hi > lo, hi - lo, 1.0)
    q = np.rint((values - lo[:, None]) * (PIXEL_LEVELS / span)[:, None])
    return {
        "dtype": "u8",
        "shape": list(values.shape),
        "lo": lo,
        "hi": hi,
        "data": _b64(q.astype(np.uint8).tobytes()),
    }


def layer_levels(columns: list[np.ndarray]) -> list[dict[str, Any]]:
    """`levels(a.T)` for each matrix `a` (points × a layer's neurons), the same bytes, in one
    pass over all layers, a neuron to a contiguous row: a minimum down the columns of a
    narrow matrix took numpy ~20 times as long as along rows (XOR's grid: 107 -> 28 µs)."""
    values = np.ascontiguousarray(np.concatenate(columns, axis=1).T)
    if not np.isfinite(values).all():  # rare (a diverged run): each layer as levels says
        return [levels(a.T) for a in columns]
    lo, hi = values.min(axis=1), values.max(axis=1)
    span = np.where(hi > lo, hi - lo, 1.0)
    q = np.rint((values - lo[:, None]) * (PIXEL_LEVELS / span)[:, None]).astype(np.uint8)
    out, start = [], 0
    for a in columns:
        layer = slice(start, start + a.shape[1])
        start = layer.stop
        out.append(
            {
                "dtype": "u8",
                "shape": [a.shape[1], a.shape[0]],
                "lo": lo[layer],
                "hi": hi[layer],
                "data": _b64(q[layer].tobytes()),
            }
        )
    return out


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def compact(
    value: Any, exact_below: int, colour_only: frozenset[str], key: str = "", half: bool = False
) -> Any:
    """A State (or any part of one) with its large float arrays packed; the arrays named in
    `colour_only` (a layer's matrices, drawn relative to their own largest value) in 8 bits.
    `half`: a played frame's half floats."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f" and value.size >= exact_below:
            return pack(value, key in colour_only, half)
        return value
    if isinstance(value, dict):
        return {k: compact(v, exact_below, colour_only, k, half) for k, v in value.items()}
    if isinstance(value, list):
        return [compact(v, exact_below, colour_only, key, half) for v in value]
    return value


def image_edges_only(layer: dict[str, Any], keys: Collection[str] | None = None) -> dict[str, Any]:
    """The first layer of a net on images as the network view draws it: of each matrix (or of
    those named in `keys`) only the top of each row (the strongest pixels' edges). Non-finite
    matrices stay whole (float32)."""
    chosen = MATRICES if keys is None else MATRICES.intersection(keys)
    return {k: top_of_rows(v) if k in chosen and _wide_and_finite(v) else v for k, v in layer.items()}


def _wide_and_finite(v: Any) -> bool:
    return isinstance(v, np.ndarray) and v.ndim == 2 and v.shape[1] >= WIDE and bool(np.isfinite(v).all())


def batch_as_rows(batch: dict[str, Any], known: set[int]) -> dict[str, Any]:
    """The batch as row numbers into the training set, with the inputs of only the rows this
    client was not sent before (`known`, one stream's memory, updated here): after an epoch a
    frame carries no pixels at all. static/js/frames.js rebuilds batch.x from its copy."""
    index = np.asarray(batch["index"])
    fresh = [k for k, row in enumerate(index.tolist()) if row not in known]
    known.update(index[fresh].tolist())
    out = {k: v for k, v in batch.items() if k != "x"}
    out["rows"] = index[fresh]
    out["rows_x"] = np.asarray(batch["x"])[fresh]
    return out


# Arrays of 64 numbers or more are packed, in a Step's answer as in a played frame. A wide
# layer matrix (an image's 784 columns) in 8 bits per row; everything else in float32, which
# draws the same picture (tests/browser/test_frames.py). The
# inspector asks GET /state for the exact numbers of what it shows (static/js/inspectpanel.js).
MATRICES = frozenset({"W", "dW", "dW_applied", "dW_penalty"})
AT_REST: dict[str, Any] = {"exact_below": 64, "colour_only": MATRICES}
# A played frame: half floats; and on images the first layer's matrices whole only in a frame
# every WHOLE_SECONDS, in the others their rows' top (app/stream.py, image_edges_only).
PLAYING: dict[str, Any] = {**AT_REST, "half": True}
