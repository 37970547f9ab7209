"""Request and response models: what /docs shows and scripts rely on."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from engine.config import (
    ACTIVATIONS,
    CLIP_MODES,
    DATASETS,
    INITS,
    LIMITS,
    LOSSES,
    OPTIMIZERS,
    OUTPUT_ACTIVATIONS,
    SCHEDULES,
)
from engine.presets import PRESETS

Activation = Literal[ACTIVATIONS]  # type: ignore[valid-type]
REF_PATTERN = r"^@([A-Za-z0-9_-]{22})$"  # a value stored by POST /api/v1/blobs (app/blobs.py)
Ref = Annotated[
    str, Field(pattern=REF_PATTERN, description="@<code> of a value stored by POST /api/v1/blobs")
]


class WeightsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    W: list[list[float]] = Field(description="(n_out, n_in): row i holds the weights into neuron i")
    b: list[float] = Field(description="(n_out,)")


class DataIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    x: list[list[float]] = Field(description="inputs, one row per sample", examples=[[[0, 0], [1, 1]]])
    y: list[list[float]] = Field(
        description="targets, one row per sample; 0/1 values mean classes", examples=[[[0], [1]]]
    )


class RunConfigIn(BaseModel):
    """A run's config. Every field is optional: a missing one comes from `preset` when
    given, else from the defaults in GET /api/v1/meta. Fields beside a preset override it."""

    model_config = ConfigDict(
        extra="forbid",
        allow_inf_nan=False,  # NaN is "not a finite number", not "not ≤ 1000"
        json_schema_extra={
            "examples": [
                {"preset": "xor"},
                {
                    "dataset": "spiral",
                    "hidden": [8, 8],
                    "activation": "tanh",
                    "optimizer": "adam",
                    "learning_rate": 0.01,
                    "seed": 3,
                },
            ]
        },
    )

    preset: Literal[tuple(PRESETS)] | None = Field(None, description="a lesson's config as the base")  # type: ignore[valid-type]
    dataset: Literal[DATASETS] | None = Field(None, description="data set; `custom` takes `data`")  # type: ignore[valid-type]
    data: DataIn | Ref | None = Field(
        None, description=f"custom data, at most {LIMITS['max_custom_rows']} rows, or its @<code>"
    )
    n_samples: int | None = Field(
        None, description="rows generated before the train/test split", ge=1, le=LIMITS["max_samples"]
    )
    noise: float | None = Field(None, description="std of Gaussian noise added to the inputs", ge=0, le=10)
    test_ratio: float | None = Field(None, description="share of rows held out for testing", ge=0, le=0.9)
    hidden: list[int] | None = Field(
        None,
        description="hidden layer sizes, input to output",
        examples=[[4, 2]],
        max_length=LIMITS["max_hidden_layers"],
    )
    activation: Activation | None = Field(None, description="hidden layers' activation")
    output_activation: Literal[OUTPUT_ACTIVATIONS] | None = Field(None, description="output activation")  # type: ignore[valid-type]
    loss: Literal[LOSSES] | None = Field(None, description="per-sample loss; the batch loss is their mean")  # type: ignore[valid-type]
    init: Literal[INITS] | None = Field(None, description="weight initialiser (biases start at 0)")  # type: ignore[valid-type]
    init_scale: float | None = Field(
        None, description="r of uniform(±r), σ of normal(σ), gain of xavier/he", ge=0, le=100
    )
    weights: list[WeightsIn] | Ref | None = Field(
        None, description="explicit initial parameters, one per layer, or their @<code>"
    )
    optimizer: Literal[OPTIMIZERS] | None = Field(None, description="update rule")  # type: ignore[valid-type]
    learning_rate: float | None = Field(None, description="η (URL name: lr)", ge=0, le=1000)
    momentum: float | None = Field(None, description="μ of momentum and nesterov", ge=0, lt=1)
    beta1: float | None = Field(None, description="Adam's first-moment decay", ge=0, lt=1)
    beta2: float | None = Field(None, description="Adam's second-moment decay; RMSprop's decay", ge=0, lt=1)
    eps: float | None = Field(
        None, description="ε added to the denominator of adaptive optimizers", gt=0, le=1
    )
    schedule: Literal[SCHEDULES] | None = Field(None, description="learning-rate schedule")  # type: ignore[valid-type]
    decay: float | None = Field(
        None, description="step/exponential factor per decay_steps; cosine: final fraction of η", ge=0, le=1
    )
    decay_steps: int | None = Field(
        None, description="steps per decay period", ge=1, le=LIMITS["max_replay_steps"]
    )
    clip: float | None = Field(None, description="clip threshold (none: no clipping)", gt=0)
    clip_mode: Literal[CLIP_MODES] | None = Field(None, description="norm: global L2 norm; value: each entry")  # type: ignore[valid-type]
    l1: float | None = Field(None, description="L1 penalty l1·Σ|W| (weights only)", ge=0, le=100)
    l2: float | None = Field(None, description="L2 penalty ½·l2·ΣW² (weights only)", ge=0, le=100)
    batch_norm: bool | None = Field(None, description="batch norm after each hidden layer's z")
    batch_size: int | None = Field(
        None, description="0 or ≥ rows: full batch", ge=0, le=LIMITS["max_batch_size"]
    )
    seed: int | None = Field(
        None, description="defines data, initial weights and batch order", ge=0, le=LIMITS["max_seed"]
    )

    def fields(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class RunOut(BaseModel):
    id: str = Field(description="the run's id, valid on every server sharing the store")
    config: dict[str, Any] = Field(description="the full config, defaults filled in")
    step: int = Field(description="updates applied so far")
    n_params: int = Field(description="weights, biases (and batch-norm γ, β)")


class StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    steps: int = Field(1, ge=1, le=LIMITS["max_steps_per_request"], description="updates to apply")


class PredictIn(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    x: list[list[float]] = Field(description="input rows", examples=[[[0, 1], [1, 1]]])
    layers: bool = Field(False, description="also return every layer's activations (for per-neuron maps)")


class PredictOut(BaseModel):
    y: list[list[float | None]] = Field(description="the network's output per row (evaluation mode)")
    layers: list[list[list[float | None]]] | None = Field(None, description="each weight layer's activations")


class ErrorItem(BaseModel):
    loc: list[str | int] = Field(description="where: e.g. ['body', 'learning_rate'] or ['query', 'step']")
    msg: str
    type: str
    allowed: str | None = None
    code: str | None = Field(
        None, description="kind of error (choice, range, integer, number, too_many, ...)"
    )
    value: Any = Field(None, description="the offending value, where there is one")


class ErrorOut(BaseModel):
    detail: list[ErrorItem] | str


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "malformed request"},
    404: {"model": ErrorOut, "description": "no such run"},
    413: {"model": ErrorOut, "description": "body too large"},
    422: {"model": ErrorOut, "description": "invalid field: `loc` names it, `allowed` says what is allowed"},
}
STATE_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "a State (docs/state.md): step, loss, batch, layers [{W, b, z, a, delta, "
        'dW, db, dW_applied, ...}], metrics. NaN/inf are the strings "NaN", "Infinity", '
        '"-Infinity", with `diverged` true and `diverged_at` the first such step.',
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}
