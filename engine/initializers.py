"""Initial weights. Biases start at zero; W has shape (n_out, n_in).

`scale` is r of uniform(±r), σ of normal(σ), and a gain on xavier (Glorot uniform)
and he (Kaiming normal), so one knob shows what a bad initialisation does.
"""

from __future__ import annotations

import numpy as np


def init_weights(kind: str, rng: np.random.Generator, n_in: int, n_out: int, scale: float) -> np.ndarray:
    shape = (n_out, n_in)
    if kind == "uniform":
        return rng.uniform(-scale, scale, shape)
    if kind == "normal":
        return rng.normal(0.0, scale, shape)
    if kind == "xavier":
        r = scale * np.sqrt(6.0 / (n_in + n_out))
        return rng.uniform(-r, r, shape)
    if kind == "he":
        return rng.normal(0.0, scale * np.sqrt(2.0 / n_in), shape)
    raise ValueError(f"unknown initializer {kind!r}")
