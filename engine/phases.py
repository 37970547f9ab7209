"""One step, phase by phase: what each phase computes, in the order it happens.

forward:0 … forward:L−1, loss, backward:L−1 … backward:0, update. The numbers come
from one State, so the phases of a step always add up to exactly that step.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from engine.state import State


def phases(n_layers: int) -> list[str]:
    """The phases of one step, in order."""
    return (
        [f"forward:{l}" for l in range(n_layers)]
        + ["loss"]
        + [f"backward:{l}" for l in reversed(range(n_layers))]
        + ["update"]
    )


def trace(state: State) -> Iterator[tuple[str, dict[str, Any]]]:
    """(phase, what it computed) for every phase of the step that `state` is about to take."""
    layers = state.layers
    for l, layer in enumerate(layers):
        yield f"forward:{l}", {"layer": l, "z": layer.z, "a": layer.a, "bn": layer.bn}
    yield (
        "loss",
        {
            "loss": state.loss,
            "penalty": state.penalty,
            "prediction": layers[-1].a,
            "target": state.batch["y"],
            "dL_da": layers[-1].dL_da,
        },
    )
    for l in reversed(range(len(layers))):
        layer = layers[l]
        yield (
            f"backward:{l}",
            {"layer": l, "dL_da": layer.dL_da, "delta": layer.delta, "dW": layer.dW, "db": layer.db},
        )
    yield (
        "update",
        {
            "lr": state.lr,
            "clipped": state.clipped,
            "applied": [{"dW": layer.dW_applied, "db": layer.db_applied} for layer in layers],
        },
    )
