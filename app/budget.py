"""What a request may cost, checked before any work starts.

Work is counted in parameter·rows: one training step of a net with P parameters on a
batch of B rows costs about P·B multiply-adds forward and twice that backward, plus the
evaluations recorded on the way and a fixed cost per step (Python, small arrays). The
settings give the most work one request may do (`max_work`), the most a request may do
in the cheap lane before it moves to the heavy lane (`cheap_work`, app/lanes.py),
and the largest answer (`max_response_mb`). Too much is a 422 that says the most this
net allows, e.g. "at most 90 steps for this net".

A State's JSON size is estimated from the net's shapes before the State is built (the
full-batch State of a large net is hundreds of MB).
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass

from app.settings import Settings
from engine.config import ConfigError, RunConfig
from engine.trainer import eval_interval, shared_dataset

STEP_OVERHEAD = 2_000  # parameter·rows that a step of the smallest net costs in fixed overhead
CHUNK_WORK = 20_000_000  # work between two checks for a client that left or a shutdown (~0.1–0.5 s)
FULL_NUMBER_BYTES = 25  # "-0.12345678901234568," and exponents: float64 repr at its longest


@dataclass(frozen=True)
class Shape:
    """What a net's work depends on, known from its config before it is built."""

    sizes: tuple[int, ...]  # neurons per column, inputs first
    batch_norm: bool
    batch: int  # rows per step
    rows: int  # train + test rows: one evaluation
    eval_every: int
    train: int = 0  # training rows (the data's gradient, GET /example)

    @functools.cached_property  # asked several times a step (its work, a checkpoint's worth)
    def n_params(self) -> int:
        per_neuron = 3 if self.batch_norm else 1  # bias (+ γ, β)
        hidden_norms = 0 if not self.batch_norm else 2 * self.sizes[-1]  # no batch norm on the output
        return (
            sum((a + per_neuron) * b for a, b in zip(self.sizes, self.sizes[1:], strict=False)) - hidden_norms
        )

    @classmethod
    def of_config(cls, config: RunConfig) -> Shape:
        data = shared_dataset(config, config.output_activation == "softmax")
        n, n_test = len(data.x_train), len(data.x_test)
        sizes = (data.x_train.shape[1], *config.hidden, data.y_train.shape[1])
        batch = n if config.batch_size == 0 else min(config.batch_size, n)
        shape = cls(sizes, config.batch_norm, batch, n + n_test, 1, n)
        every = eval_interval((n + n_test) * shape.n_params, batch * shape.n_params)
        return cls(sizes, config.batch_norm, batch, n + n_test, every, n)


def step_work(shape: Shape) -> int:
    """Parameter·rows of one step, evaluations included (one every `eval_every` steps)."""
    return shape.n_params * (shape.batch + shape.rows // max(shape.eval_every, 1)) + STEP_OVERHEAD


def build_work(shape: Shape) -> int:
    """Building a run: its first evaluation, on every row."""
    return shape.n_params * shape.rows + STEP_OVERHEAD


# A store round trip with a checkpoint (reading or writing one: ~0.3-0.5 ms here, SQLite or
# PostgreSQL on loopback), in the same units: about 10 steps of the smallest net.
STORE_WORK = 10 * STEP_OVERHEAD


def checkpoint_work(shape: Shape) -> int:
    """Reading (or writing) a checkpoint of this net through the store: the round trip, and
    its parameters and optimizer slots as bytes (a few passes over each number). Replaying
    less work than this is cheaper than restoring (app/runs.py)."""
    return STORE_WORK + 4 * shape.n_params


def chunk_steps(shape: Shape) -> int:
    """Steps between two checks for stopping."""
    return max(1, CHUNK_WORK // step_work(shape))


def check_steps(
    shape: Shape,
    steps: int,
    settings: Settings,
    field: str = "steps",
    replay: int = 0,
    per: int = 1,
    cap: int | None = None,
) -> int:
    """The work of `steps` steps, after `replay` steps to bring the run to its stored step
    (a run evicted from memory is rebuilt); a 422 naming `field` if over budget. `per`: steps
    each unit of `steps` may take (a stream's frame: up to CATCH_UP frames' worth), at most
    `cap` in all; the error then says the most units, not steps."""
    per_step = step_work(shape)
    counted = steps * per if cap is None else min(steps * per, cap)
    work = per_step * (counted + replay)
    if work > settings.max_work:
        most = max(0, settings.max_work // per_step - replay) // per
        where = "from the start " if field == "step" else ""
        unit = "steps" if per == 1 else f"{field} (a frame may take {per} frames' worth of steps)"
        raise ConfigError(
            field,
            f"{steps} {'steps' if per == 1 else field} of this net ({shape.n_params} parameters × "
            f"{shape.batch} rows a batch) is more work than one request may do",
            f"at most {most} {unit} {where}for this net (BPX_MAX_WORK = {settings.max_work:.3g} parameter·rows)",
            code="budget",
            value=steps,
            most=most,
        )
    return work


def with_batch(shape: Shape, batch: int) -> Shape:
    """The same net stepping on batches of `batch` rows (its evaluations as often as they would be)."""
    every = eval_interval(shape.rows * shape.n_params, batch * shape.n_params)
    return Shape(shape.sizes, shape.batch_norm, batch, shape.rows, every, shape.train)


def check_steppable(shape: Shape, settings: Settings) -> None:
    """A net one step of which is more work than a request may do could never be stepped
    (every Step a 422 allowing 0 steps, and a client taking its steps in chunks of `most`
    would loop for ever): refused when it is made, naming what makes the step too big. The
    batch (`batch_size`, or 0: all `n_samples` training rows) when a smaller one fits,
    with the most rows it may have; else the net itself (`hidden`)."""
    if step_work(shape) <= settings.max_work:
        return
    low, high = 0, min(shape.batch, (settings.max_work - STEP_OVERHEAD) // shape.n_params)
    while low < high:  # the largest batch whose step (evaluations included) fits
        middle = (low + high + 1) // 2
        if step_work(with_batch(shape, middle)) <= settings.max_work:
            low = middle
        else:
            high = middle - 1
    rows = low
    budget = f"(BPX_MAX_WORK = {settings.max_work:.3g} parameter·rows)"
    step = (
        f"one step of this net ({shape.n_params} parameters) on a batch of {shape.batch} rows "
        f"is more work than one request may do {budget}"
    )
    if rows >= 1:
        raise ConfigError(
            "batch_size",
            step,
            f"a batch of at most {rows} rows for this net (batch_size; 0 takes all n_samples "
            f"training rows), or fewer neurons in hidden",
            code="budget",
            value=shape.batch,
            most=rows,
        )
    most = (settings.max_work - STEP_OVERHEAD) // (1 + shape.rows // max(shape.eval_every, 1))
    raise ConfigError(
        "hidden",
        step,
        f"fewer neurons in hidden: even a batch of one row is too much for this net (at most "
        f"about {most} parameters)",
        code="budget",
        value=shape.n_params,
        most=most,
    )


def check_rows(shape: Shape, rows: int, settings: Settings, field: str = "x") -> int:
    """Work of a forward pass over `rows` rows (predict)."""
    work = shape.n_params * rows
    if work > settings.max_work:
        most = settings.max_work // max(shape.n_params, 1)
        raise ConfigError(
            field,
            f"{rows} rows through {shape.n_params} parameters is more work than one request may do",
            f"at most {most} rows for this net",
            code="budget",
            value=rows,
            most=most,
        )
    return work


def state_numbers(shape: Shape, fields: Collection[str] | None) -> int:
    """How many numbers a State (or the chosen fields of it) holds, from the shapes alone."""
    return _state_numbers(shape, None if fields is None else frozenset(fields))


@functools.lru_cache(maxsize=1024)  # every step of a class asks it of the same few shapes (~8 µs each)
def _state_numbers(shape: Shape, fields: frozenset[str] | None) -> int:
    def wanted(name: str, layer: bool = False) -> bool:
        if fields is None:
            return True
        return (f"layers.{name}" in fields or "layers" in fields) if layer else name in fields

    batch = shape.batch
    n = 0
    for n_in, n_out in zip(shape.sizes, shape.sizes[1:], strict=False):
        n += n_in * n_out * sum(wanted(k, True) for k in ("W", "dW", "dW_penalty", "dW_applied"))
        n += n_out * sum(wanted(k, True) for k in ("b", "db", "db_applied"))
        n += batch * n_out * sum(wanted(k, True) for k in ("z", "a", "dL_da", "delta"))
        if shape.batch_norm and wanted("bn", True):
            n += 4 * batch * n_out + 6 * n_out
    if wanted("batch"):
        n += batch * (shape.sizes[0] + shape.sizes[-1] + 1)
    return n + 64  # the scalars and metrics


def response_bytes(numbers: int, digits: int | None) -> int:
    return numbers * (digits + 8 if digits else FULL_NUMBER_BYTES)


def check_state_size(
    shape: Shape, fields: Collection[str] | None, digits: int | None, settings: Settings
) -> int:
    size = response_bytes(state_numbers(shape, fields), digits)
    limit = settings.max_response_mb * 2**20
    if size > limit:
        raise ConfigError(
            "fields",
            f"this State would be about {size / 2**20:.0f} MB of JSON",
            f"at most {settings.max_response_mb} MB: ask for fewer fields (fields=step,loss,layers.W, ...) "
            f"or fewer digits (digits=6)",
            code="response_size",
            value=round(size / 2**20),
            most=settings.max_response_mb,
        )
    return size


# -- reads of a run at its step: the work and the size of their answers, before they start ----------


def check_work(shape: Shape, work: int, settings: Settings, field: str, what: str, value: object) -> int:
    """A read whose work the net decides (no count in the request to lower): a 422 naming
    `field` when it is over the budget; `most` is the budget in parameter·rows."""
    if work > settings.max_work:
        raise ConfigError(
            field,
            f"{what} of this net ({shape.n_params} parameters) is {work:.3g} parameter·rows, more work "
            f"than one request may do",
            f"at most {settings.max_work:.3g} parameter·rows a request (BPX_MAX_WORK): a net with fewer "
            f"parameters or rows",
            code="budget",
            value=value,
            most=settings.max_work,
        )
    return work


def check_answer_size(numbers: int, digits: int | None, settings: Settings, field: str, value: object) -> int:
    """An answer of `numbers` numbers as JSON: a 422 `response_size` naming `field` when over
    the largest answer (`most` in MB), saying which digits= would fit if any would."""
    size = response_bytes(numbers, digits)
    limit = settings.max_response_mb * 2**20
    if size > limit:
        fits = next((d for d in (6, 4, 2, 1) if response_bytes(numbers, d) <= limit), None)
        instead = f"ask for fewer digits (digits={fits})" if fits else "a net with fewer neurons or rows"
        raise ConfigError(
            field,
            f"this answer would be about {size / 2**20:.0f} MB of JSON",
            f"at most {settings.max_response_mb} MB (BPX_MAX_RESPONSE_MB): {instead}",
            code="response_size",
            value=value,
            most=settings.max_response_mb,
        )
    return size


def example_cost(shape: Shape, row: int, digits: int | None, settings: Settings) -> int:
    """GET /example: the gradient over every training row (one row's pass and the batch's
    plan, which a State read makes too, besides); the answer holds the net's gradient several
    times over (the example's, the batch's, the data's, per layer again, and what each neuron
    asks of the layer below)."""
    work = shape.n_params * shape.train
    check_work(shape, work, settings, "row", "the gradient over all training rows", row)
    check_answer_size(6 * shape.n_params + 2 * sum(shape.sizes), digits, settings, "row", row)
    return work


def chain_cost(shape: Shape, layer: int, digits: int | None, settings: Settings) -> int:
    """GET /chain: the batch's plan and two forward passes (the finite difference); per batch
    sample, the weight's factors and each neuron above's δ."""
    above = shape.sizes[layer + 2] if layer + 2 < len(shape.sizes) else 0
    work = check_work(
        shape,
        step_work(shape) + 2 * shape.n_params * shape.batch,
        settings,
        "layer",
        "the chain rule with its check",
        layer,
    )
    check_answer_size(shape.batch * (8 + above) + above, digits, settings, "layer", layer)
    return work


def predict_cost(shape: Shape, rows: int, layers: bool, settings: Settings) -> int:
    """POST /predict: a forward pass over `rows` rows; the answer holds each row's outputs, or
    with `layers` every layer's activations: a 422 naming `x` with the most rows that fit."""
    work = check_rows(shape, rows, settings)
    per_row = shape.sizes[-1] + (sum(shape.sizes[1:]) if layers else 0)
    limit = settings.max_response_mb * 2**20
    if response_bytes(rows * per_row, None) > limit:
        most = limit // response_bytes(per_row, None)
        raise ConfigError(
            "x",
            f"{rows} rows{' with every layer' if layers else ''} would be about "
            f"{response_bytes(rows * per_row, None) / 2**20:.0f} MB of JSON",
            f"at most {most} rows{' with layers: true' if layers else ''} for this net "
            f"(BPX_MAX_RESPONSE_MB = {settings.max_response_mb})",
            code="response_size",
            value=rows,
            most=most,
        )
    return work


def data_rows_cost(shape: Shape, count: int, with_x: bool, digits: int | None, settings: Settings) -> None:
    """GET /data: `count` rows of targets (and inputs): a 422 naming `count` with the most rows that fit."""
    per_row = shape.sizes[-1] + (shape.sizes[0] if with_x else 0)
    rows = min(count, shape.rows)
    limit = settings.max_response_mb * 2**20
    if response_bytes(rows * per_row, digits) > limit:
        most = limit // response_bytes(per_row, digits)
        raise ConfigError(
            "count",
            f"{rows} rows would be about {response_bytes(rows * per_row, digits) / 2**20:.0f} MB of JSON",
            f"at most {most} rows a page (BPX_MAX_RESPONSE_MB = {settings.max_response_mb})",
            code="response_size",
            value=count,
            most=most,
        )
