"""Small configs shared by the engine tests."""

from __future__ import annotations

from engine.config import RunConfig

XOR_X = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
XOR_Y = [[0.0], [1.0], [1.0], [0.0]]


def custom(x: list[list[float]], y: list[list[float]], **fields) -> RunConfig:
    return RunConfig.from_dict({"dataset": "custom", "data": {"x": x, "y": y}, **fields})


def xor(**fields) -> RunConfig:
    return custom(XOR_X, XOR_Y, **fields)
