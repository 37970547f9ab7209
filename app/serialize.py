"""States to JSON: full precision by default, fewer digits or fields on request.

orjson writes NaN and ±inf as null; the State's `diverged` flag says why. Rounding to
d significant digits and then narrowing to float32 (d ≤ 7) makes orjson print the
short form (0.1234, not 0.12340000000000001), which is what shrinks a stream.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
import orjson

OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS


def round_significant(a: np.ndarray, digits: int) -> np.ndarray:
    if a.dtype.kind != "f":
        return a
    with np.errstate(all="ignore"):
        magnitude = np.floor(np.log10(np.abs(a)))
        scale = 10.0 ** (digits - 1 - np.where(np.isfinite(magnitude), magnitude, 0))
        rounded = np.where(np.isfinite(a) & (a != 0), np.round(a * scale) / scale, a)
    return rounded.astype(np.float32) if digits <= 7 else rounded


def _round(value: Any, digits: int) -> Any:
    if isinstance(value, np.ndarray):
        return round_significant(value, digits)
    if isinstance(value, float):
        return float(f"{value:.{digits}g}")
    if isinstance(value, dict):
        return {k: _round(v, digits) for k, v in value.items()}
    if isinstance(value, list):
        return [_round(v, digits) for v in value]
    return value


def select(state: dict[str, Any], fields: Collection[str]) -> dict[str, Any]:
    """Keep top-level keys named in `fields`, and layer keys named as `layers.<key>`."""
    layer_keys = {f.split(".", 1)[1] for f in fields if f.startswith("layers.")}
    out = {k: v for k, v in state.items() if k in fields and k != "layers"}
    if "layers" in fields:
        out["layers"] = state["layers"]
    elif layer_keys:
        out["layers"] = [{k: v for k, v in layer.items() if k in layer_keys} for layer in state["layers"]]
    return out


def _fallback(value: Any) -> Any:
    """orjson writes C-contiguous arrays natively; column slices are copied first."""
    if isinstance(value, np.ndarray):
        return np.ascontiguousarray(value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(value: Any, digits: int | None = None) -> bytes:
    if digits is not None:
        value = _round(value, digits)
    return orjson.dumps(value, default=_fallback, option=OPTIONS)


STATE_FIELDS = (
    "step",
    "epoch",
    "lr",
    "loss",
    "penalty",
    "diverged",
    "grad_norm",
    "clipped",
    "batch",
    "layers",
    "metrics",
)
LAYER_FIELDS = (
    "activation",
    "W",
    "b",
    "z",
    "a",
    "dL_da",
    "delta",
    "dW",
    "db",
    "dW_penalty",
    "dW_applied",
    "db_applied",
    "grad_norm",
    "bn",
)
