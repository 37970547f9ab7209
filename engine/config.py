"""RunConfig: everything that defines a run, validated once, with the limits.

A run is a pure function of its config (seed included), so the config is the
only thing a share link, a saved run or a replica needs to rebuild a run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
OUTPUT_ACTIVATIONS = (*ACTIVATIONS, "softmax")
LOSSES = ("half_sse", "sse", "mse", "bce", "cross_entropy")
INITS = ("xavier", "he", "uniform", "normal")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
SCHEDULES = ("constant", "step", "exponential", "cosine")
CLIP_MODES = ("norm", "value")
DATASETS = ("xor", "circle", "gauss", "spiral", "moons", "plane", "gauss_reg", "digits", "custom")

# Output ranges on which a loss is undefined (log of a value that can be <= 0 or >= 1).
LOG_LOSSES = ("bce", "cross_entropy")
UNBOUNDED_OUTPUTS = ("linear", "tanh", "relu", "leaky_relu")

LIMITS: dict[str, int] = {
    "max_inputs": 784,
    "max_hidden_layers": 8,
    "max_layer_width": 512,
    "max_outputs": 64,
    "max_parameters": 1_000_000,
    "max_samples": 5000,
    "max_custom_rows": 5000,
    "max_batch_size": 5000,
    "max_steps_per_request": 10_000,
    "max_replay_steps": 100_000,
    "max_seed": 2**32 - 1,
}


class ConfigError(ValueError):
    """An invalid config: names the field, what is wrong and what is allowed."""

    def __init__(
        self,
        field: str,
        message: str,
        allowed: str | None = None,
        code: str = "invalid",
        value: Any = None,
        most: float | None = None,
        least: float | None = None,
    ):
        self.field = field
        self.message = message
        self.allowed = allowed
        self.code = code  # a stable name for the kind of error, so a page can say it in its own language
        self.value = value
        self.most = most  # the largest value allowed, where a number is (a budget's steps or rows)
        self.least = least  # with `most`: the range allowed, which a page says in its own words
        super().__init__(f"{field}: {message}" + (f" (allowed: {allowed})" if allowed else ""))

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "message": self.message, "allowed": self.allowed, "code": self.code}


@dataclass(frozen=True)
class RunConfig:
    dataset: str = "xor"
    data: dict | None = None  # {"x": [[...]], "y": [[...]]} when dataset == "custom"
    n_samples: int = 200
    noise: float = 0.0
    test_ratio: float = 0.0
    hidden: tuple[int, ...] = (3,)  # with the defaults below, XOR is learnt (100% by step 1000)
    activation: str = "sigmoid"
    output_activation: str = "sigmoid"
    loss: str = "half_sse"
    init: str = "xavier"
    init_scale: float = 1.0  # r of uniform(±r), σ of normal(σ); a gain for xavier/he
    weights: tuple | None = None  # explicit initial parameters [{W, b}] per layer
    optimizer: str = "sgd"
    learning_rate: float = 2.0
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999  # Adam's second-moment decay; also RMSprop's decay
    eps: float = 1e-8
    schedule: str = "constant"
    decay: float = 0.5  # factor of step/exponential decay; cosine: final lr fraction
    decay_steps: int = 100
    clip: float | None = None
    clip_mode: str = "norm"
    l1: float = 0.0
    l2: float = 0.0
    batch_norm: bool = False
    batch_size: int = 0  # 0 or >= n means full batch
    seed: int = 0

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> RunConfig:
        """Build and validate a config; unknown keys and bad values raise ConfigError."""
        known = {f.name for f in fields(cls)}
        for key in values:
            if key not in known:
                raise ConfigError(key, "unknown field", ", ".join(sorted(known)), code="unknown_field")
        given = {k: v for k, v in values.items() if v is not None or k in ("clip", "data", "weights")}
        if "hidden" in given:
            given["hidden"] = _int_tuple("hidden", given["hidden"])
        if "weights" in given and given["weights"] is not None:
            given["weights"] = _freeze_weights(given["weights"])
        if "data" in given and given["data"] is not None:
            given["data"] = _freeze_data(given["data"])
        config = cls(**given)
        config.validate()
        return config

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["hidden"] = list(self.hidden)
        if self.weights is not None:
            out["weights"] = [{"W": [list(r) for r in w["W"]], "b": list(w["b"])} for w in self.weights]
        if self.data is not None:
            out["data"] = {k: [list(r) for r in v] for k, v in self.data.items()}
        return out

    def validate(self) -> None:
        for spec in FIELDS.values():
            spec.check(getattr(self, spec.name))
        if self.loss in LOG_LOSSES and self.output_activation in UNBOUNDED_OUTPUTS:
            raise ConfigError(
                "loss",
                f"{self.loss} takes the log of the output, undefined for a {self.output_activation} output",
                "bce or cross_entropy need a sigmoid or softmax output",
                code="log_loss",
                value=self.loss,
            )
        if (self.dataset == "custom") != (self.data is not None):
            raise ConfigError(
                "data",
                "custom data goes with dataset=custom, and only with it",
                "data {x: [[...]], y: [[...]]} with dataset=custom",
                code="custom_data",
                value=self.dataset,
            )
        if self.data is not None:
            _check_data(self.data)


def _choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(name, f"unknown value {value!r}", ", ".join(allowed), code="choice", value=value)


def too_many(name: str, count: int, things: str, most: int) -> ConfigError:
    """The ConfigError for more than `most` of something ("5001 rows is too many"), code too_many."""
    return ConfigError(name, f"{count} {things} is too many", f"at most {most}", "too_many", count, most)


def check_whole(name: str, value: Any, lo: int, hi: int) -> None:
    """A whole number from lo to hi, else the ConfigError that says so (codes integer, range)."""
    allowed = f"{lo} to {hi}"  # and in parts (least, most), which a page says in its own words
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(
            name, f"must be a whole number, got {value!r}", allowed, "integer", value, most=hi, least=lo
        )
    if not lo <= value <= hi:
        raise ConfigError(name, f"{value} is out of range", allowed, "range", value, most=hi, least=lo)


def _number(name: str, value: Any, lo: float, hi: float) -> None:
    allowed = f"{lo:g} to {hi:g}"  # and in parts (least, most), which a page says in its own words
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(
            name, f"must be a number, got {value!r}", allowed, "number", value, most=hi, least=lo
        )
    if not math.isfinite(value):
        raise ConfigError(
            name, f"{value!r} is not a finite number", allowed, "not_finite", value, most=hi, least=lo
        )
    if not lo <= value <= hi:
        raise ConfigError(name, f"{value!r} is out of range", allowed, "range", value, most=hi, least=lo)


def _int_tuple(name: str, value: Any) -> tuple[int, ...]:
    if isinstance(value, str):
        parts = [p for p in value.replace(" ", "").split(",") if p]
        try:
            return tuple(int(p) for p in parts)
        except ValueError:
            raise ConfigError(
                name, f"{value!r} is not a list of layer sizes", "e.g. 4,2", code="layer_sizes", value=value
            ) from None
    if isinstance(value, list | tuple):
        return tuple(value)
    raise ConfigError(
        name, f"must be a list of layer sizes, got {value!r}", "e.g. [4, 2]", code="layer_sizes", value=value
    )


def _matrix(name: str, rows: Any, max_rows: int) -> tuple[tuple[float, ...], ...]:
    """A finite, rectangular, non-empty matrix of numbers, as nested tuples."""
    if not isinstance(rows, list | tuple) or not rows:
        raise ConfigError(name, "must be a non-empty list of rows", "[[number, ...], ...]", code="not_list")
    if len(rows) > max_rows:
        raise too_many(name, len(rows), "rows", max_rows)
    width = None
    out = []
    for r, row in enumerate(rows):
        if not isinstance(row, list | tuple) or not row:
            raise ConfigError(f"{name}[{r}]", "must be a non-empty list of numbers", code="not_list")
        if width is None:
            width = len(row)
        elif len(row) != width:
            raise ConfigError(
                f"{name}[{r}]",
                f"has {len(row)} columns, row 0 has {width}",
                "every row the same length",
                code="ragged",
                value=len(row),
            )
        for c, v in enumerate(row):
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise ConfigError(
                    f"{name}[{r}][{c}]", f"{v!r} is not a finite number", code="not_finite", value=v
                )
        out.append(tuple(float(v) for v in row))
    return tuple(out)


def _freeze_data(data: Any) -> dict:
    if not isinstance(data, Mapping) or set(data) != {"x", "y"}:
        raise ConfigError(
            "data", "must be an object with exactly x and y", "{x: [[...]], y: [[...]]}", code="keys"
        )
    limit = LIMITS["max_custom_rows"]
    return {"x": _matrix("data.x", data["x"], limit), "y": _matrix("data.y", data["y"], limit)}


def _check_data(data: dict) -> None:
    x, y = data["x"], data["y"]
    if len(x) != len(y):
        raise ConfigError(
            "data.y",
            f"has {len(y)} rows but data.x has {len(x)}",
            "one y row per x row",
            code="rows_mismatch",
            value=len(y),
        )
    for name, rows, limit in (("data.x", x, "max_inputs"), ("data.y", y, "max_outputs")):
        if len(rows[0]) > LIMITS[limit]:
            raise too_many(name, len(rows[0]), "columns", LIMITS[limit])


def _freeze_weights(weights: Any) -> tuple:
    if not isinstance(weights, list | tuple) or not weights:
        raise ConfigError("weights", "must be a list of {W, b}, one per weight layer", code="not_list")
    frozen = []
    for i, layer in enumerate(weights):
        if not isinstance(layer, Mapping) or set(layer) != {"W", "b"}:
            raise ConfigError(
                f"weights[{i}]", "must be an object with exactly W and b", "{W, b}", code="keys"
            )
        W = _matrix(f"weights[{i}].W", layer["W"], LIMITS["max_layer_width"] + LIMITS["max_outputs"])
        b = _matrix(f"weights[{i}].b", [layer["b"]], 1)[0] if isinstance(layer["b"], list | tuple) else None
        if b is None:
            raise ConfigError(f"weights[{i}].b", "must be a list of numbers", code="not_list")
        if len(b) != len(W):
            raise ConfigError(
                f"weights[{i}].b",
                f"has {len(b)} entries, W has {len(W)} rows",
                "b has one entry per row of W (n_out)",
                code="weights_shape",
                value=len(b),
            )
        frozen.append({"W": W, "b": b})
    return tuple(frozen)


FIELD_NAMES = tuple(f.name for f in fields(RunConfig))
DEFAULTS = RunConfig()


@dataclass(frozen=True)
class FieldSpec:
    """One config field: its kind, range and words. The one table (FIELDS) behind validation,
    the request schema (app/schemas.py), URL parsing (app/urlstate.py) and GET /api/v1/meta."""

    name: str
    kind: str  # str, int, float, bool, list (layer sizes) or json: also how a URL spells it
    doc: str  # one line for the API's schema
    lo: float | None = None  # closed range [lo, hi] of a number, of each layer size for a list
    hi: float | None = None
    choices: tuple[str, ...] = ()
    nullable: bool = False  # None is a value of its own (clip: no clipping)
    max_items: int | None = None  # of a list
    url: str = ""  # its URL name where it differs from the field's

    @property
    def url_name(self) -> str:
        return self.url or self.name

    @property
    def url_type(self) -> str:
        """How a URL spells it (static/js/urlstate.js parses the same names)."""
        return self.kind + ("?" if self.nullable and self.kind == "float" else "")

    def check(self, value: Any) -> None:
        """Raise the ConfigError that names this field, if `value` is not one of its values."""
        lo, hi = self.lo if self.lo is not None else -math.inf, self.hi if self.hi is not None else math.inf
        if value is None and self.nullable:
            return
        if self.choices:
            _choice(self.name, value, self.choices)
        elif self.kind == "int":
            check_whole(self.name, value, int(lo), int(hi))
        elif self.kind == "float":
            _number(self.name, value, lo, hi)
        elif self.kind == "bool" and not isinstance(value, bool):
            raise ConfigError(self.name, f"must be true or false, got {value!r}", code="boolean", value=value)
        elif self.kind == "list":  # layer sizes: how many, and each one's range
            if self.max_items is not None and len(value) > self.max_items:
                raise too_many(self.name, len(value), "hidden layers", self.max_items)
            for item in value:
                check_whole(self.name, item, int(lo), int(hi))
        # json fields (data, weights) are checked as they are read (_freeze_data, _freeze_weights)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "url": self.url_name,
            "type": self.url_type,
        }
        for key in ("lo", "hi", "max_items"):
            if getattr(self, key) is not None:
                out[{"lo": "min", "hi": "max"}.get(key, key)] = getattr(self, key)
        if self.choices:
            out["choices"] = list(self.choices)
        out["nullable"] = self.nullable
        out["default"] = DEFAULTS.to_dict()[self.name]
        out["doc"] = self.doc
        return out


_ALMOST_1 = 0.999999  # a decay of exactly 1 would never forget: momentum, β₁, β₂ stay below
FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        FieldSpec("dataset", "str", "data set; `custom` takes `data`", choices=DATASETS),
        FieldSpec("data", "json", f"custom data, at most {LIMITS['max_custom_rows']} rows, or its @<code>"),
        FieldSpec("n_samples", "int", "rows generated before the train/test split", 1, LIMITS["max_samples"]),
        FieldSpec("noise", "float", "std of Gaussian noise added to the inputs", 0.0, 10.0),
        FieldSpec("test_ratio", "float", "share of rows held out for testing", 0.0, 0.9),
        FieldSpec(
            "hidden",
            "list",
            "hidden layer sizes, input to output",
            1,
            LIMITS["max_layer_width"],
            max_items=LIMITS["max_hidden_layers"],
        ),
        FieldSpec("activation", "str", "hidden layers' activation", choices=ACTIVATIONS),
        FieldSpec("output_activation", "str", "output activation", choices=OUTPUT_ACTIVATIONS),
        FieldSpec("loss", "str", "per-sample loss; the batch loss is their mean", choices=LOSSES),
        FieldSpec("init", "str", "weight initialiser (biases start at 0)", choices=INITS),
        FieldSpec("init_scale", "float", "r of uniform(±r), σ of normal(σ), gain of xavier/he", 0.0, 100.0),
        FieldSpec("weights", "json", "explicit initial parameters, one per layer, or their @<code>"),
        FieldSpec("optimizer", "str", "update rule", choices=OPTIMIZERS),
        FieldSpec("learning_rate", "float", "η (URL name: lr)", 0.0, 1000.0, url="lr"),
        FieldSpec("momentum", "float", "μ of momentum and nesterov", 0.0, _ALMOST_1),
        FieldSpec("beta1", "float", "Adam's first-moment decay", 0.0, _ALMOST_1),
        FieldSpec("beta2", "float", "Adam's second-moment decay; RMSprop's decay", 0.0, _ALMOST_1),
        FieldSpec("eps", "float", "ε added to the denominator of adaptive optimizers", 1e-300, 1.0),
        FieldSpec("schedule", "str", "learning-rate schedule", choices=SCHEDULES),
        FieldSpec(
            "decay", "float", "step/exponential factor per decay_steps; cosine: final fraction of η", 0.0, 1.0
        ),
        FieldSpec("decay_steps", "int", "steps per decay period", 1, LIMITS["max_replay_steps"]),
        FieldSpec("clip", "float", "clip threshold (none: no clipping)", 1e-12, 1e12, nullable=True),
        FieldSpec("clip_mode", "str", "norm: global L2 norm; value: each entry", choices=CLIP_MODES),
        FieldSpec("l1", "float", "L1 penalty l1·Σ|W| (weights only)", 0.0, 100.0),
        FieldSpec("l2", "float", "L2 penalty ½·l2·ΣW² (weights only)", 0.0, 100.0),
        FieldSpec("batch_norm", "bool", "batch norm after each hidden layer's z"),
        FieldSpec("batch_size", "int", "0 or ≥ rows: full batch", 0, LIMITS["max_batch_size"]),
        FieldSpec("seed", "int", "defines data, initial weights and batch order", 0, LIMITS["max_seed"]),
    )
}
