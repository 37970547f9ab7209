"""States to JSON: full precision by default, fewer digits or fields on request.

JSON has no NaN or ±inf, and orjson writes them as null, which a reader cannot tell from
"no value" (a page showed a diverged loss as 0). So a non-finite number is written as the
string "NaN", "Infinity" or "-Infinity" (the names JavaScript's Number() reads back). Rounding to
d significant digits and then narrowing to float32 (d ≤ 7) makes orjson print the
short form (0.1234, not 0.12340000000000001), which is what shrinks a stream.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import fields as dataclass_fields
from itertools import repeat
from typing import Any

import numpy as np
import orjson

from engine.state import LayerState, State

OPTIONS = orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
MAX_DIGITS = 17  # significant digits that give back every float64 exactly


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


def _non_finite_name(v: float) -> str:
    return "NaN" if math.isnan(v) else "Infinity" if v > 0 else "-Infinity"


def name_non_finite(value: Any) -> Any:
    """The value with every NaN and ±inf replaced by its name; finite parts unchanged."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind != "f" or np.isfinite(value).all():
            return value
        named = value.astype(object)
        bad = ~np.isfinite(value)
        named[bad] = [_non_finite_name(v) for v in value[bad]]
        return named.tolist()
    if isinstance(value, float | np.floating):
        return value if math.isfinite(value) else _non_finite_name(float(value))
    if isinstance(value, dict):
        return {k: name_non_finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [name_non_finite(v) for v in value]
    return value


# Tuples, not `dict | list | tuple`: that builds a union object at each test, which made
# counting a small net's State's Nones cost twice as much (10 -> 5 µs).
CONTAINERS, SEQUENCES = (dict, list, tuple), (list, tuple)


def count_none(value: Any) -> int:
    """How many None values the containers hold (arrays hold none): each is one JSON null;
    at most that many, never more (dumps() then names what it must: slower, never wrong).

    A list's Nones are counted in C (list.count), and its items looked into only when its
    first is a container; a list of flat lists (a history's grad norms) in C too. A whole
    XOR history of 2000 steps: 950 -> 210 µs. A list that mixes numbers and
    containers is counted short: the slow path, never a wrong answer."""
    if value is None:
        return 1
    count, containers = 0, [value]
    while containers:
        container = containers.pop()
        if isinstance(container, dict):
            for item in container.values():
                if item is None:
                    count += 1
                elif isinstance(item, CONTAINERS):
                    containers.append(item)
            continue
        if not isinstance(container, SEQUENCES) or not container:
            continue
        count += container.count(None)
        first = container[0]
        if not isinstance(first, CONTAINERS):
            continue
        if type(first) is list and not (first and isinstance(first[0], CONTAINERS)):
            try:
                count += sum(map(list.count, container, repeat(None)))
                continue
            except TypeError:  # not all lists: each looked into below
                pass
        containers.extend(item for item in container if isinstance(item, CONTAINERS))
    return count


def dumps(value: Any, digits: int | None = None) -> bytes:
    if digits is not None:
        value = _round(value, digits)
    data = orjson.dumps(value, default=_fallback, option=OPTIONS)
    # orjson wrote any NaN/inf as null. Every None is a null too (a State has several:
    # diverged_at, bn), so only more nulls than Nones (rare) mean a number to name; naming
    # walks every array, which cost a small net's step more than all of its JSON.
    if b"null" in data and data.count(b"null") > count_none(value):
        data = orjson.dumps(name_non_finite(value), default=_fallback, option=OPTIONS)
    return data


# What `fields=` may name: the State's own fields, read off its dataclasses (docs/state.md)
STATE_FIELDS = tuple(f.name for f in dataclass_fields(State))
LAYER_FIELDS = tuple(f.name for f in dataclass_fields(LayerState))
