"""Response models of the routes that build their JSON themselves (orjson, app/serialize.py).

Those routes return bytes, so FastAPI does not validate through these models: they are the
routes' declared shape, for /docs and for scripts. A number that is NaN or infinite arrives
as the string "NaN", "Infinity" or "-Infinity" (app/serialize.py, docs/api.md); null means
"not computed (yet)"; arrays are nested lists.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

NonFinite = Literal["NaN", "Infinity", "-Infinity"]
Real = float | NonFinite  # a float64 as sent: a JSON number when finite, else its name
Number = Real | None  # None: not computed (yet)
Nested = list[Any]


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")  # the documented fields; more may be added


class StateOut(Open):
    step: int
    epoch: int
    lr: Number
    loss: Number
    penalty: Number
    diverged: bool
    grad_norm: Number
    clipped: bool
    batch: dict[str, Any] = Field(description="rows, x, y of the batch")
    metrics: dict[str, Any]
    layers: list[dict[str, Any]] = Field(description="per layer: W, b, z, a, dL_da, delta, dW, db, ...")


class GridOut(Open):
    xs: list[float] = Field(description="the lattice's x values (columns)")
    ys: list[float] = Field(description="the lattice's y values (rows)")
    layers: list[dict[str, Any]] = Field(
        description="per layer, each neuron's n·n outputs (row r at ys[r]) as colour levels: "
        "{dtype: u8, shape: [neurons, n·n], lo[], hi[], data: base64}, v = lo + q·(hi − lo)/255"
    )


class StepWithOut(Open):
    """POST /step?include=…: the State and the parts asked for, at the new step (app/extras.py)."""

    state: StateOut
    history: dict[str, Any] | None = Field(None, description="as GET /history?since=")
    preview: dict[str, Any] | None = Field(None, description="as GET /preview")
    neurons: dict[str, Any] | None = Field(None, description="as GET /neurons")
    grid: GridOut | None = Field(None, description="as GET /grid")


class HistoryOut(Open):
    step: list[int]
    loss: list[Number]
    lr: list[Number]
    grad_norms: Nested
    eval_step: list[int]


class ConfusionOut(Open):
    split: str
    classification: bool
    matrix: Nested
    accuracy: Number
    wrong: dict[str, Any]
    step: int


class PreviewOut(Open):
    alpha: list[Real]
    loss: list[Number]
    step: int


class DataPageOut(Open):
    split: str
    start: int
    total: int
    kind: str
    n_classes: int
    input_shape: list[int]
    y: Nested
    x: Nested | None = Field(None, description="absent with with_x=false")


class ChainOut(Open):
    layer: int
    i: int
    j: int
    step: int
    w: Number
    dW: Number
    numeric: Number = Field(description="the finite-difference check of dW")


class ExampleOut(Open):
    row: int
    x: Nested
    y: Nested
    output: Nested
    gradient: Nested
    batch_gradient: Nested
    full_gradient: Nested
    cosine: dict[str, Any]


class ExportOut(Open):
    format: str
    config: dict[str, Any]
    step: int
    weights: list[dict[str, Any]] = Field(description="[{W, b}] per layer")


class MetaOut(Open):
    version: str
    choices: dict[str, Any]
    defaults: dict[str, Any]
    limits: dict[str, Any] = Field(description="sizes, steps, budgets (max_work, max_response_mb, ...)")
    presets: list[dict[str, Any]]
    fields: list[dict[str, Any]]
    phases: dict[str, Any]
    url: dict[str, Any]
    state_fields: dict[str, Any]


class CodeOut(BaseModel):
    quantities: dict[str, str]
