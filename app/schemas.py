"""Request and response models: what /docs shows and scripts rely on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from app.responses import Real
from engine.config import FIELDS, LIMITS, FieldSpec
from engine.presets import PRESETS

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


def _schema_field(spec: FieldSpec) -> tuple[Any, Any]:
    """A request-schema field from the one table (engine/config.py FIELDS): same kind, same range."""
    kind: Any = {"str": str, "int": int, "float": float, "bool": bool, "list": list[int]}.get(spec.kind)
    if spec.choices:
        kind = Literal[spec.choices]
    elif spec.name == "data":
        kind = DataIn | Ref
    elif spec.name == "weights":
        kind = list[WeightsIn] | Ref
    bounds: dict[str, Any] = {}
    if spec.kind in ("int", "float"):
        bounds = {"ge": spec.lo, "le": spec.hi}
    if spec.kind == "list":
        bounds = {"max_length": spec.max_items, "examples": [[4, 2]]}
    return kind | None, Field(None, description=spec.doc, **bounds)


class RunConfigBase(BaseModel):
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

    def fields(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


if TYPE_CHECKING:  # a class mypy can see; at run time it is built from the table

    class RunConfigIn(RunConfigBase): ...

else:
    RunConfigIn = create_model(
        "RunConfigIn",
        __base__=RunConfigBase,
        __doc__=RunConfigBase.__doc__,
        preset=(Literal[tuple(PRESETS)] | None, Field(None, description="a lesson's config as the base")),
        **{spec.name: _schema_field(spec) for spec in FIELDS.values()},
    )


class RunOut(BaseModel):
    id: str = Field(description="the run's id, valid on every server sharing the store")
    config: dict[str, Any] = Field(description="the full config, defaults filled in")
    step: int = Field(description="updates applied so far")
    n_params: int = Field(description="weights, biases (and batch-norm γ, β)")


class StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    steps: int = Field(
        1,
        ge=1,
        le=LIMITS["max_steps_per_request"],
        strict=True,  # a JSON number: not "5", not true, not "５"
        description="updates to apply",
    )


class PredictIn(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    x: list[list[float]] = Field(description="input rows", examples=[[[0, 1], [1, 1]]])
    layers: bool = Field(False, description="also return every layer's activations (for per-neuron maps)")


class PredictOut(BaseModel):
    y: list[list[Real]] = Field(description="the network's output per row (evaluation mode)")
    layers: list[list[list[Real]]] | None = Field(None, description="each weight layer's activations")


class ErrorItem(BaseModel):
    loc: list[str | int] = Field(description="where: e.g. ['body', 'learning_rate'] or ['query', 'step']")
    msg: str
    type: str
    allowed: str | None = None
    code: str | None = Field(
        None, description="kind of error (choice, range, integer, number, too_many, ...)"
    )
    value: Any = Field(None, description="the offending value, where there is one")
    most: float | None = Field(None, description="the most allowed, where that is a number")
    least: float | None = Field(None, description="with most: the least allowed, where a range is")
    choices: list[str] | None = Field(None, description="a choice error's choices")


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
